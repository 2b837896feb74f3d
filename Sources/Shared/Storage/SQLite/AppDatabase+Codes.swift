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
}
