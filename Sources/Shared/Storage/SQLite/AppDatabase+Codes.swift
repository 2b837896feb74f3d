import Foundation
import GRDB

extension AppDatabase {
    public func storeCode(_ code: OneTimeCode) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO one_time_codes (purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)
                    ON CONFLICT (purpose, user_id) DO UPDATE SET
                        email_key = excluded.email_key, email = excluded.email, code_hash = excluded.code_hash,
                        created_at = excluded.created_at, expires_at = excluded.expires_at,
                        attempts = CASE WHEN one_time_codes.code_hash = excluded.code_hash THEN one_time_codes.attempts ELSE 0 END,
                        used_at = NULL
                    WHERE one_time_codes.code_hash <> excluded.code_hash
                       OR (one_time_codes.used_at IS NULL AND one_time_codes.attempts < \(OneTimeCode.maxAttempts))
                    """,
                arguments: [code.purpose.rawValue, code.userId, code.emailKey, code.email, code.codeHash,
                            code.createdAt.timeIntervalSince1970, code.expiresAt.timeIntervalSince1970])
        }
    }

    public func redeemCode(
        purpose: CodePurpose, userId: Int64, emailKey: String?, now: Date,
        matches: @escaping @Sendable (OneTimeCode) -> Bool, effect: CodeEffect
    ) async throws -> CodeRedemption {
        try await pool.write { db in
            guard let code = try OneTimeCode
                .filter(Column("purpose") == purpose.rawValue && Column("user_id") == userId)
                .fetchOne(db),
                let codeID = code.id,
                code.usedAt == nil,
                emailKey == nil || code.emailKey == emailKey
            else { return .invalid }
            if code.attempts >= OneTimeCode.maxAttempts { return .locked }
            if code.expiresAt <= now { return .expired }
            guard matches(code) else {
                try db.execute(sql: "UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = ?", arguments: [codeID])
                return code.attempts + 1 >= OneTimeCode.maxAttempts ? .locked : .invalid
            }
            if case .checkOnly = effect {
                guard let user = try User.fetchOne(db, key: userId) else { return .invalid }
                return .redeemed(user)
            }
            if case .changeEmail = effect {
                // The new address may have been taken since the request: then nothing changes,
                // and the code stays unspent.
                do {
                    try db.execute(
                        sql: "UPDATE users SET email = ?, email_key = ?, is_verified = 1 WHERE id = ?",
                        arguments: [code.email, code.emailKey, userId])
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                    return .emailTaken
                }
            }
            // Spend it: the conditional update is what makes the code single-use.
            try db.execute(
                sql: "UPDATE one_time_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND attempts < ?",
                arguments: [now.timeIntervalSince1970, codeID, OneTimeCode.maxAttempts])
            guard db.changesCount == 1 else { return .invalid }
            switch effect {
            case .verifyEmail(let session):
                try db.execute(sql: "UPDATE users SET is_verified = 1 WHERE id = ?", arguments: [userId])
                try session.insert(db)
            case .verifyEmailContinuing(let sessionId, let newJti, let newExpiry):
                try db.execute(sql: "UPDATE users SET is_verified = 1 WHERE id = ?", arguments: [userId])
                try db.execute(
                    sql: """
                        UPDATE login_sessions SET refresh_jti = ?, last_used_at = ?, expires_at = ?
                        WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?
                        """,
                    arguments: [newJti, now.timeIntervalSince1970, newExpiry.timeIntervalSince1970, sessionId, userId,
                                now.timeIntervalSince1970])
                // Thrown inside the write: the whole redemption rolls back, the code stays unspent.
                guard db.changesCount == 1 else { throw StorageError.sessionEnded }
            case .resetPassword(let hash):
                // Proving control of the address verifies it; every session ends.
                try db.execute(sql: "UPDATE users SET password = ?, is_verified = 1 WHERE id = ?", arguments: [hash, userId])
                try Self.revokeAll(db, userId: userId, except: nil, reason: "password_reset", now: now)
            case .changeEmail(var notice):
                try notice.insert(db)
            case .checkOnly:
                break
            }
            guard let user = try User.fetchOne(db, key: userId) else { return .invalid }
            return .redeemed(user)
        }
    }
}
