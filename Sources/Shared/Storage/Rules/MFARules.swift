import Foundation

/// The one home of the second factor's rules, for both databases: a pending setup until a first
/// code confirms it; a TOTP code taken once per user and step (the factor row is locked and its
/// `last_step` moves forward only, so a replay through another replica is refused too); a
/// recovery code spent by a conditional update; a login's `mfa_token` single-use, short-lived
/// and burned by five wrong codes.
extension TransactionRunner {
    public func totpFactor(userId: Int64) async throws -> TOTPFactor? {
        try await query(MFARules.factor(userId: userId)).first.map(MFARules.factor)
    }

    /// Whether TOTP is on, and how many recovery codes are left.
    public func mfaStatus(userId: Int64) async throws -> (totp: Bool, recoveryCodesLeft: Int) {
        guard let row = try await query(MFARules.status(userId: userId)).first else { return (false, 0) }
        return (try row.int("totp") > 0, try row.int("codes_left"))
    }

    /// A new pending setup replaces a pending one; none while a factor is on.
    public func beginTOTPSetup(userId: Int64, sealedSecret: [UInt8], now: Date) async throws -> MFAOutcome {
        try await run(.write(Statements.lock(user: userId)) { _ in
            .read(MFARules.factor(userId: userId, locked: true)) { rows in
                if let existing = try rows.first.map(MFARules.factor), existing.isConfirmed { return .done(.wrongState) }
                return .writes([
                    SQLStatement("DELETE FROM mfa_factors WHERE user_id = ?", userId),
                    SQLStatement("INSERT INTO mfa_factors (user_id, secret, created_at) VALUES (?, ?, ?)", userId, Data(sealedSecret), now),
                ], then: .done(.done))
            }
        })
    }

    /// The first code confirms the pending factor: the recovery codes replace any old ones, the
    /// calling session becomes second-factor verified, every other session of the user ends, and
    /// `notice` is queued — all in one transaction; `.sessionEnded` and nothing kept when the
    /// calling session ended meanwhile.
    public func confirmTOTP(userId: Int64, sessionId: String, code: SecondFactor, recoveryCodeHashes: [[UInt8]], notice: MailJob?,
                            now: Date) async throws -> MFAOutcome {
        guard case .totp(let step) = code else { return .invalidCode }
        return try await run(.write(Statements.lock(user: userId)) { _ in
            .read(MFARules.factor(userId: userId, locked: true)) { rows in
                guard let pending = try rows.first.map(MFARules.factor), !pending.isConfirmed else { return .done(.wrongState) }
                guard let accepted = step(pending.sealedSecret, userId) else { return .done(.invalidCode) }
                let statements = [
                    SQLStatement("UPDATE mfa_factors SET confirmed_at = ?, last_step = ? WHERE user_id = ?", now, accepted, userId),
                ] + MFARules.replaceRecoveryCodes(userId: userId, hashes: recoveryCodeHashes) + [
                    SessionSQL.end("login_sessions.user_id = ? AND login_sessions.id <> ?", [userId.sqlValue, sessionId.sqlValue],
                                   reason: "mfa_enabled", now: now),
                ] + (notice.map(Statements.insert) ?? [])
                return .write(MFARules.raise(sessionId: sessionId, userId: userId, method: code.method, now: now)) { changed in
                    guard changed == 1 else { return .done(.sessionEnded) }
                    return .writes(statements, then: .done(.done))
                }
            }
        })
    }

    /// Records the second step of a login that the password step allowed.
    public func createMFAChallenge(tokenHash: [UInt8], userId: Int64, now: Date, expiresAt: Date) async throws {
        _ = try await execute(SQLStatement("INSERT INTO mfa_challenges (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                                           Data(tokenHash), userId, now, expiresAt))
    }

    /// The second step of a login: the challenge must be live; a right code spends it and opens
    /// `session` (second-factor verified: its level is decided here) with `last_login`, and answers
    /// it; a wrong one counts, and the fifth burns the challenge. The user is the challenge's,
    /// whatever the caller believes.
    public func completeMFALogin(tokenHash: [UInt8], code: SecondFactor, now: Date,
                                 session: @escaping @Sendable (Int64) -> LoginSession) async throws -> (MFAOutcome, LoginSession?) {
        try await run(.read(SQLStatement("""
            SELECT mfa_challenges.user_id, expires_at, attempts, used_at, users.is_active
            FROM mfa_challenges JOIN users ON users.id = mfa_challenges.user_id WHERE token_hash = ?
            """, Data(tokenHash), lock: .forUpdate(of: "mfa_challenges"))) { rows in
            // A user deactivated since the password step gets no session either.
            guard let row = rows.first, try row.optionalDouble("used_at") == nil, try row.date("expires_at") > now,
                  try row.int("attempts") < MFARules.maxChallengeAttempts, try row.bool("is_active")
            else { return .done((.invalidChallenge, nil)) }
            let userId = try row.int64("user_id")
            var raised = session(userId)
            raised.level = SessionLevel(aal: 2, amr: ["pwd", code.method])
            let opened = raised
            let spent: TransactionStep<MFAOutcome> = MFARules.spend(userId: userId, code: code, now: now, then: { .done(.done) }, wrong: { .done(.invalidCode) })
            return try spent.then { outcome in
                guard outcome == .done else {
                    return .write(SQLStatement("UPDATE mfa_challenges SET attempts = attempts + 1 WHERE token_hash = ?", Data(tokenHash))) { _ in
                        .done((.invalidCode, nil))
                    }
                }
                return .writes([
                    SQLStatement("UPDATE mfa_challenges SET used_at = ? WHERE token_hash = ?", now, Data(tokenHash)),
                    SessionSQL.insert(opened),
                    SQLStatement("UPDATE users SET last_login = ? WHERE id = ?", now, userId),
                ], then: .done((.done, opened)))
            }
        })
    }

    /// Switching MFA off with a code: the factor and the recovery codes go, `notice` is queued.
    public func disableTOTP(userId: Int64, code: SecondFactor, notice: MailJob?, now: Date) async throws -> MFAOutcome {
        try await run(.write(Statements.lock(user: userId)) { _ in
            MFARules.spend(userId: userId, code: code, now: now, then: {
                .writes([
                    SQLStatement("DELETE FROM mfa_recovery_codes WHERE user_id = ?", userId),
                    SQLStatement("DELETE FROM mfa_factors WHERE user_id = ?", userId),
                ] + (notice.map(Statements.insert) ?? []), then: .done(.done))
            }, wrong: { .done(.invalidCode) })
        })
    }

    /// New recovery codes; the old ones stop working. Only with a factor on.
    public func regenerateRecoveryCodes(userId: Int64, hashes: [[UInt8]]) async throws -> MFAOutcome {
        try await run(.read(MFARules.factor(userId: userId, locked: true)) { rows in
            guard let factor = try rows.first.map(MFARules.factor), factor.isConfirmed else { return .done(.wrongState) }
            return .writes(MFARules.replaceRecoveryCodes(userId: userId, hashes: hashes), then: .done(.done))
        })
    }

    /// Staff's reset: the factor (pending or on), its recovery codes and open login challenges
    /// go, without a code; the notice only when a factor was there.
    public func resetMFA(userId: Int64, notice: MailJob, now: Date) async throws -> Bool {
        try await run(.write(Statements.lock(user: userId)) { _ in
            .writes([
                SQLStatement("DELETE FROM mfa_recovery_codes WHERE user_id = ?", userId),
                SQLStatement("DELETE FROM mfa_challenges WHERE user_id = ?", userId),
            ], then: .read(SQLStatement("DELETE FROM mfa_factors WHERE user_id = ? RETURNING confirmed_at", userId)) { rows in
                // A factor still being set up (never confirmed) goes too, but MFA was never on:
                // no "MFA turned off" notice for it.
                try rows.contains { try $0.optionalDouble("confirmed_at") != nil }
                    ? .writes(Statements.insert(notice), then: .done(true)) : .done(false)
            })
        })
    }
}

/// The pieces of the second factor's rules that several of them share.
enum MFARules {
    static let maxChallengeAttempts = 5

    static func factor(userId: Int64, locked: Bool = false) -> SQLStatement {
        SQLStatement("SELECT user_id, secret, created_at, confirmed_at, last_step FROM mfa_factors WHERE user_id = ?", userId,
                     lock: locked ? .forUpdate(of: nil) : .none)
    }

    static func factor(_ row: SQLRow) throws -> TOTPFactor {
        TOTPFactor(userId: try row.int64("user_id"), sealedSecret: Array(try row.bytes("secret")), createdAt: try row.date("created_at"),
                   confirmedAt: try row.optionalDate("confirmed_at"), lastStep: try row.optionalInt64("last_step"))
    }

    /// The session counts as second-factor verified from now on (its tokens say `aal` 2).
    static func raise(sessionId: String, userId: Int64, method: String, now: Date) -> SQLStatement {
        SQLStatement("""
            UPDATE login_sessions SET aal = 2, amr = ?
            WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND \(SessionSQL.active)
            """, SessionLevel(aal: 2, amr: ["pwd", method]).storedMethods, sessionId, userId, now)
    }

    static func replaceRecoveryCodes(userId: Int64, hashes: [[UInt8]]) -> [SQLStatement] {
        [SQLStatement("DELETE FROM mfa_recovery_codes WHERE user_id = ?", userId)]
            + hashes.map { SQLStatement("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?)", userId, Data($0)) }
    }

    /// `then` when `code` is a right, unused second factor of the user's confirmed factor, which is
    /// spent in the same transaction (the TOTP step recorded, or the recovery code used);
    /// `wrong` otherwise.
    static func spend<Output: Sendable>(userId: Int64, code: SecondFactor, now: Date, then: @escaping @Sendable () -> TransactionStep<Output>,
                                        wrong: @escaping @Sendable () -> TransactionStep<Output>) -> TransactionStep<Output> {
        .read(factor(userId: userId, locked: true)) { rows in
            guard let factor = try rows.first.map(factor), factor.isConfirmed else { return wrong() }
            switch code {
            case .totp(let step):
                guard let accepted = step(factor.sealedSecret, userId), accepted > (factor.lastStep ?? Int64.min) else { return wrong() }
                return .write(SQLStatement("UPDATE mfa_factors SET last_step = ? WHERE user_id = ?", accepted, userId)) { _ in then() }
            case .recoveryCode(let hash):
                return .write(SQLStatement(
                    "UPDATE mfa_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL", now, userId, Data(hash)
                )) { changed in changed == 1 ? then() : wrong() }
            }
        }
    }

    /// Whether TOTP is on, and how many recovery codes are left.
    static func status(userId: Int64) -> SQLStatement {
        SQLStatement("""
            SELECT (SELECT COUNT(*) FROM mfa_factors WHERE user_id = ? AND confirmed_at IS NOT NULL) AS totp,
                   (SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL) AS codes_left
            """, userId, userId)
    }
}
