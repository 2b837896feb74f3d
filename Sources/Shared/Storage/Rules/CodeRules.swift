import Foundation

/// One-time codes and the mails that carry them, for both databases: the send cooldown (one
/// mail per address per minute, whatever the replicas), storing the worker's code, and the one
/// home of "is this code still valid" — unknown, used or for another address is invalid; five
/// wrong tries burn it; expired; a wrong code counts a try; a right one is spent (once: the code
/// row is locked, or the writer held) and its effect applied in the same transaction.
extension TransactionRunner {
    /// Queues the job if its cooldown could be taken: parallel calls queue one mail. The
    /// account's row is locked first and must still be there: a deletion committing between
    /// the caller's read and this write would otherwise leave a job (and a cooldown) holding
    /// the address of an account that is gone. Deletion locks the same row, so one of the two
    /// waits for the other.
    public func queueMail(_ job: MailJob, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> Bool {
        let claim = TransactionStep<Bool>.write(CodeRules.claimCooldown(kind: job.kind, subject: cooldownSubject, seconds: cooldown, now: now)) {
            changed in changed > 0 ? .writes(Statements.insert(job), then: .done(true)) : .done(false)
        }
        guard let userId = job.userId else { return try await run(claim) }
        return try await run(.read(SQLStatement("SELECT id FROM users WHERE id = ?", userId, lock: .forUpdate(of: "users"))) { rows in
            rows.isEmpty ? .done(false) : claim
        })
    }

    /// Seconds until `cooldownSubject` may be mailed again for `kind` (0 when it may now).
    public func cooldownRemaining(kind: MailJob.Kind, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> TimeInterval {
        let lastSent = try await query(SQLStatement(
            "SELECT last_sent_at FROM send_cooldowns WHERE purpose = ? AND subject = ?", kind.rawValue, cooldownSubject
        )).first.map { try $0.date("last_sent_at") }
        guard let lastSent else { return 0 }
        return max(0, lastSent.timeIntervalSince1970 + cooldown - now.timeIntervalSince1970)
    }

    /// A new code replaces the earlier one; the same code again (a retry of its mail) keeps its
    /// wrong tries and never brings a used or burnt code back: it only renews an unused one's expiry.
    public func storeCode(_ code: OneTimeCode) async throws {
        _ = try await execute(SQLStatement("""
            INSERT INTO one_time_codes (purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)
            ON CONFLICT (purpose, user_id) DO UPDATE SET
                email_key = excluded.email_key, email = excluded.email, code_hash = excluded.code_hash,
                created_at = excluded.created_at, expires_at = excluded.expires_at,
                attempts = CASE WHEN one_time_codes.code_hash = excluded.code_hash THEN one_time_codes.attempts ELSE 0 END,
                used_at = NULL
            WHERE one_time_codes.code_hash <> excluded.code_hash
               OR (one_time_codes.used_at IS NULL AND one_time_codes.attempts < ?)
            """, code.purpose.rawValue, code.userId, code.emailKey, code.email, code.codeHash, code.createdAt, code.expiresAt,
            OneTimeCode.maxAttempts))
    }

    /// Checks and, on a match, spends a code and applies its effect, all in one write
    /// transaction: of N parallel redemptions of one code exactly one succeeds.
    public func redeemCode(
        purpose: CodePurpose, userId: Int64, emailKey: String?, now: Date,
        matches: @escaping @Sendable (OneTimeCode) -> Bool, effect: CodeEffect
    ) async throws -> CodeRedemption {
        do {
            return try await run(.read(SQLStatement(
                "SELECT \(OneTimeCode.columns) FROM one_time_codes WHERE purpose = ? AND user_id = ?", purpose.rawValue, userId,
                lock: .forUpdate(of: nil)
            )) { rows in
                guard let row = rows.first, let code = try OneTimeCode(row), let codeID = code.id, code.usedAt == nil,
                      emailKey == nil || code.emailKey == emailKey
                else { return .done(.invalid) }
                if code.attempts >= OneTimeCode.maxAttempts { return .done(.locked) }
                if code.expiresAt <= now { return .done(.expired) }
                guard matches(code) else {
                    return .write(SQLStatement("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = ?", codeID)) { _ in
                        .done(code.attempts + 1 >= OneTimeCode.maxAttempts ? .locked : .invalid)
                    }
                }
                if case .checkOnly = effect { return CodeRules.redeemed(userId) }
                // Spent by a conditional update: what makes the code single-use.
                let spend = TransactionStep<CodeRedemption>.write(SQLStatement(
                    "UPDATE one_time_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND attempts < ?",
                    now, codeID, OneTimeCode.maxAttempts
                )) { changed in
                    guard changed == 1 else { return .done(.invalid) }
                    return CodeRules.apply(effect, userId: userId, now: now, then: CodeRules.redeemed(userId))
                }
                if case .changeEmail = effect {
                    // First, so that an address taken since the request stops everything here: the
                    // unique index refuses, the transaction rolls back, the code stays unspent.
                    // The old address's send cooldowns go with it: no account holds it any more, and
                    // a later deletion of this account could not find them to remove its address.
                    return .writes([SQLStatement(
                        "DELETE FROM send_cooldowns WHERE subject = (SELECT email_key FROM users WHERE id = ?) AND subject <> ?",
                        userId, code.emailKey
                    )], then: .write(SQLStatement(
                        "UPDATE users SET email = ?, email_key = ?, is_verified = ? WHERE id = ?", code.email, code.emailKey, true, userId
                    )) { _ in spend })
                }
                return spend
            })
        } catch StorageError.uniqueViolation {
            // Only the e-mail change writes a unique column: its address was taken meanwhile.
            return .emailTaken
        }
    }
}

/// The pieces of the code rules that other rules build on.
enum CodeRules {
    /// Takes the send cooldown of (kind, subject) unless it was taken less than `seconds` ago.
    static func claimCooldown(kind: MailJob.Kind, subject: String, seconds: TimeInterval, now: Date) -> SQLStatement {
        SQLStatement("""
            INSERT INTO send_cooldowns (purpose, subject, last_sent_at) VALUES (?, ?, ?)
            ON CONFLICT (purpose, subject) DO UPDATE SET last_sent_at = excluded.last_sent_at
            WHERE send_cooldowns.last_sent_at <= ?
            """, kind.rawValue, subject, now, now.timeIntervalSince1970 - seconds)
    }

    /// The statements of a redeemed code's effect.
    static func apply(_ effect: CodeEffect, userId: Int64, now: Date, then next: TransactionStep<CodeRedemption>)
        -> TransactionStep<CodeRedemption> {
        let verify = SQLStatement("UPDATE users SET is_verified = ? WHERE id = ?", true, userId)
        switch effect {
        case .verifyEmail(let session):
            return .writes([verify, SessionSQL.insert(session)], then: next)
        case .verifyEmailContinuing(let sessionId, let newJti, let newExpiry):
            return .write(verify) { _ in
                .write(SQLStatement("""
                    UPDATE login_sessions SET refresh_jti = ?, last_used_at = ?, expires_at = ?
                    WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND \(SessionSQL.active)
                    """, newJti, now, newExpiry, sessionId, userId, now)) { changed in
                    // Ended meanwhile: everything rolls back, the code stays unspent.
                    guard changed == 1 else { throw Rollback(CodeRedemption.sessionEnded) }
                    return next
                }
            }
        case .resetPassword(let hash):
            // Proving control of the address verifies it; every session ends.
            return .writes([
                Statements.lock(user: userId),
                SQLStatement("UPDATE users SET password = ?, is_verified = ? WHERE id = ?", hash, true, userId),
            ] + SessionSQL.endEverything(userId: userId, reason: "password_reset", now: now), then: next)
        case .changeEmail(let notice):
            return .writes(Statements.insert(notice), then: next)
        case .checkOnly:
            return next
        }
    }

    static func redeemed(_ userId: Int64) -> TransactionStep<CodeRedemption> {
        .read(Statements.user(id: userId)) { rows in
            guard let row = rows.first else { return .done(.invalid) }
            return .done(.redeemed(try User(row)))
        }
    }
}
