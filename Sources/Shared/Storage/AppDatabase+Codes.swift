import Foundation
import GRDB

extension AppDatabase {
    public func storeCode(_ code: OneTimeCode) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO one_time_codes (purpose, user_id, email_key, code_hash, created_at, expires_at, attempts, used_at)
                    VALUES (?, ?, ?, ?, ?, ?, 0, NULL)
                    ON CONFLICT (purpose, user_id) DO UPDATE SET
                        email_key = excluded.email_key, code_hash = excluded.code_hash,
                        created_at = excluded.created_at, expires_at = excluded.expires_at,
                        attempts = 0, used_at = NULL
                    """,
                arguments: [code.purpose.rawValue, code.userId, code.emailKey, code.codeHash,
                            code.createdAt.timeIntervalSince1970, code.expiresAt.timeIntervalSince1970])
        }
    }

    public func redeemCode(
        purpose: CodePurpose, userId: Int64, emailKey: String, now: Date,
        matches: @escaping @Sendable (Data) -> Bool, effect: CodeEffect
    ) async throws -> CodeRedemption {
        try await pool.write { db in
            guard let code = try OneTimeCode
                .filter(Column("purpose") == purpose.rawValue && Column("user_id") == userId)
                .fetchOne(db),
                let codeID = code.id,
                code.usedAt == nil,
                code.emailKey == emailKey
            else { return .invalid }
            if code.attempts >= OneTimeCode.maxAttempts { return .locked }
            if code.expiresAt <= now { return .expired }
            guard matches(code.codeHash) else {
                try db.execute(sql: "UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = ?", arguments: [codeID])
                return code.attempts + 1 >= OneTimeCode.maxAttempts ? .locked : .invalid
            }
            // Spend it: the conditional update is what makes the code single-use.
            try db.execute(
                sql: "UPDATE one_time_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND attempts < ?",
                arguments: [now.timeIntervalSince1970, codeID, OneTimeCode.maxAttempts])
            guard db.changesCount == 1 else { return .invalid }
            switch effect {
            case .verifyEmail(var session):
                try db.execute(sql: "UPDATE users SET is_verified = 1 WHERE id = ?", arguments: [userId])
                session.userId = userId
                try session.insert(db)
            }
            guard let user = try User.fetchOne(db, key: userId) else { return .invalid }
            return .redeemed(user)
        }
    }
}
