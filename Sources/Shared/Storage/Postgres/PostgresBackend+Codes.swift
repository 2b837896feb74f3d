import Foundation
import PostgresNIO

extension PostgresBackend {
    public func storeCode(_ code: OneTimeCode) async throws {
        try await client.withConnection { connection in
            try await connection.run("""
                INSERT INTO one_time_codes (purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at)
                VALUES (\(code.purpose.rawValue), \(code.userId), \(code.emailKey), \(code.email), \(code.codeHash),
                        \(code.createdAt.timeIntervalSince1970), \(code.expiresAt.timeIntervalSince1970), 0, NULL)
                ON CONFLICT (purpose, user_id) DO UPDATE SET
                    email_key = excluded.email_key, email = excluded.email, code_hash = excluded.code_hash,
                    created_at = excluded.created_at, expires_at = excluded.expires_at,
                    attempts = CASE WHEN one_time_codes.code_hash = excluded.code_hash THEN one_time_codes.attempts ELSE 0 END,
                    used_at = NULL
                WHERE one_time_codes.code_hash <> excluded.code_hash
                   OR (one_time_codes.used_at IS NULL AND one_time_codes.attempts < \(unescaped: String(OneTimeCode.maxAttempts)))
                """, logger: logger)
        }
    }

    public func redeemCode(
        purpose: CodePurpose, userId: Int64, emailKey: String?, now: Date,
        matches: @escaping @Sendable (OneTimeCode) -> Bool, effect: CodeEffect
    ) async throws -> CodeRedemption {
        do {
            return try await transaction { connection in
                // The row lock serializes parallel redemptions of one code: of N, exactly one spends it.
                guard let row = try await connection.rows("""
                    SELECT \(unescaped: PostgresRows.codeColumns) FROM one_time_codes
                    WHERE purpose = \(purpose.rawValue) AND user_id = \(userId) FOR UPDATE
                    """, logger: logger).first,
                    let code = try PostgresRows.code(row), let codeID = code.id,
                    code.usedAt == nil, emailKey == nil || code.emailKey == emailKey
                else { return .invalid }
                if code.attempts >= OneTimeCode.maxAttempts { return .locked }
                if code.expiresAt <= now { return .expired }
                guard matches(code) else {
                    try await connection.run("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = \(codeID)", logger: logger)
                    return code.attempts + 1 >= OneTimeCode.maxAttempts ? .locked : .invalid
                }
                if case .checkOnly = effect {
                    guard let user = try await connection.user(id: userId, logger: logger) else { return .invalid }
                    return .redeemed(user)
                }
                if case .changeEmail = effect {
                    // Taken since the request: the unique index refuses, the transaction rolls back
                    // (nothing changed before this point) and the code stays unspent.
                    try await connection.run(
                        "UPDATE users SET email = \(code.email), email_key = \(code.emailKey), is_verified = TRUE WHERE id = \(userId)",
                        logger: logger)
                }
                guard try await connection.count("""
                    UPDATE one_time_codes SET used_at = \(now.timeIntervalSince1970)
                    WHERE id = \(codeID) AND used_at IS NULL AND attempts < \(OneTimeCode.maxAttempts)
                    RETURNING 1
                    """, logger: logger) == 1
                else { return .invalid }
                switch effect {
                case .verifyEmail(let session):
                    try await connection.run("UPDATE users SET is_verified = TRUE WHERE id = \(userId)", logger: logger)
                        try await connection.insertSession(session, logger: logger)
                case .verifyEmailContinuing(let sessionId, let newJti, let newExpiry):
                    try await connection.run("UPDATE users SET is_verified = TRUE WHERE id = \(userId)", logger: logger)
                    // Thrown inside the transaction: it rolls back, the code stays unspent.
                    guard try await connection.count("""
                        UPDATE login_sessions SET refresh_jti = \(newJti), last_used_at = \(now.timeIntervalSince1970),
                            expires_at = \(newExpiry.timeIntervalSince1970)
                        WHERE id = \(sessionId) AND user_id = \(userId) AND revoked_at IS NULL
                          AND expires_at > \(now.timeIntervalSince1970)
                        RETURNING 1
                        """, logger: logger) == 1
                    else { throw StorageError.sessionEnded }
                case .resetPassword(let hash):
                    try await connection.lockUser(userId, logger: logger)
                    try await connection.run("UPDATE users SET password = \(hash), is_verified = TRUE WHERE id = \(userId)", logger: logger)
                    try await connection.revokeAll(userId: userId, except: nil, reason: "password_reset", now: now, logger: logger)
                case .changeEmail(let notice):
                    try await connection.insertJob(notice, logger: logger)
                case .checkOnly:
                    break
                }
                guard let user = try await connection.user(id: userId, logger: logger) else { return .invalid }
                return .redeemed(user)
            }
        } catch where Self.isUniqueViolation(error) {
            return .emailTaken
        }
    }
}
