import Foundation

/// Redeeming a one-time code: the one home of "is this code still valid" — unknown, used or for
/// another address is invalid; five wrong tries burn it; expired; a wrong code counts a try; a
/// right one is spent (once: the code row is locked, or the writer held) and its effect applied
/// in the same transaction.
enum CodeRedemptionRule {
    static func redeem(
        purpose: CodePurpose, userId: Int64, emailKey: String?, now: Date,
        matches: @escaping @Sendable (OneTimeCode) -> Bool, effect: CodeEffect
    ) -> TransactionStep<CodeRedemption> {
        .read(SQLStatement(
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
            if case .checkOnly = effect { return user(userId) }
            // Spent by a conditional update: what makes the code single-use.
            let spend = TransactionStep<CodeRedemption>.write(SQLStatement(
                "UPDATE one_time_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND attempts < ?",
                now, codeID, OneTimeCode.maxAttempts
            )) { changed in
                guard changed == 1 else { return .done(.invalid) }
                return apply(effect, userId: userId, now: now, then: user(userId))
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
        }
    }

    /// The statements of a redeemed code's effect.
    static func apply(_ effect: CodeEffect, userId: Int64, now: Date, then next: TransactionStep<CodeRedemption>)
        -> TransactionStep<CodeRedemption> {
        let verify = SQLStatement("UPDATE users SET is_verified = ? WHERE id = ?", true, userId)
        switch effect {
        case .verifyEmail(let session):
            return .writes([verify, Statements.insert(session)], then: next)
        case .verifyEmailContinuing(let sessionId, let newJti, let newExpiry):
            return .write(verify) { _ in
                .write(SQLStatement("""
                    UPDATE login_sessions SET refresh_jti = ?, last_used_at = ?, expires_at = ?
                    WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?
                    """, newJti, now, newExpiry, sessionId, userId, now)) { changed in
                    // Thrown inside the transaction: it rolls back, the code stays unspent.
                    guard changed == 1 else { throw StorageError.sessionEnded }
                    return next
                }
            }
        case .resetPassword(let hash):
            // Proving control of the address verifies it; every session ends.
            return .writes([
                Statements.lock(user: userId),
                SQLStatement("UPDATE users SET password = ?, is_verified = ? WHERE id = ?", hash, true, userId),
                Statements.revokeAll(userId: userId, reason: "password_reset", now: now),
            ], then: next)
        case .changeEmail(let notice):
            return .writes(Statements.insert(notice), then: next)
        case .checkOnly:
            return next
        }
    }

    static func user(_ id: Int64) -> TransactionStep<CodeRedemption> {
        .read(Statements.user(id: id)) { rows in
            guard let row = rows.first else { return .done(.invalid) }
            return .done(.redeemed(try User(row)))
        }
    }
}
