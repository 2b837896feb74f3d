import Foundation

/// The one home of the provider's sign-in rules, for both databases.
extension TransactionRunner {
    public func recordProviderSignIn(session: LoginSession, cookieHash: Data, upgrade: (from: String, to: String)?, interactionHash: Data,
                                     stage: Interaction.Stage, now: Date) async throws -> Bool {
        try await run(.read(ProviderRules.lockedInteraction(interactionHash, now: now)) { rows in
            guard !rows.isEmpty else { return .done(false) }
            var statements = [
                SessionSQL.insert(session),
                SQLStatement("UPDATE login_sessions SET provider_cookie_hash = ? WHERE id = ?", cookieHash, session.id),
                SQLStatement("UPDATE users SET last_login = ? WHERE id = ?", now, session.userId),
                SQLStatement("UPDATE oauth_interactions SET user_id = ?, session_id = ?, stage = ? WHERE id_hash = ?",
                             session.userId, session.id, stage.rawValue, interactionHash),
            ]
            if let upgrade {
                statements.append(SQLStatement("UPDATE users SET password = ? WHERE id = ? AND password = ?", upgrade.to, session.userId, upgrade.from))
            }
            return .writes(statements, then: .done(true))
        })
    }

    public func awaitSecondFactor(interactionHash: Data, userId: Int64, challengeHash: [UInt8], now: Date) async throws -> Bool {
        try await execute(SQLStatement(
            "UPDATE oauth_interactions SET user_id = ?, mfa_challenge_hash = ?, stage = ? WHERE id_hash = ? AND expires_at > ?",
            userId, Data(challengeHash), Interaction.Stage.mfa.rawValue, interactionHash, now)) == 1
    }

    public func adoptSignInSession(sessionId: String, cookieHash: Data, interactionHash: Data, stage: Interaction.Stage,
                                   now: Date) async throws -> Bool {
        try await run(.read(ProviderRules.lockedInteraction(interactionHash, now: now)) { rows in
            guard !rows.isEmpty else { return .done(false) }
            return .writes([
                SQLStatement("UPDATE login_sessions SET provider_cookie_hash = ? WHERE id = ?", cookieHash, sessionId),
                SQLStatement("UPDATE oauth_interactions SET session_id = ?, mfa_challenge_hash = NULL, stage = ? WHERE id_hash = ?",
                             sessionId, stage.rawValue, interactionHash),
            ], then: .done(true))
        })
    }

    public func interactionChallenge(interactionHash: Data, now: Date) async throws -> [UInt8]? {
        try await query(SQLStatement(
            "SELECT mfa_challenge_hash FROM oauth_interactions WHERE id_hash = ? AND expires_at > ? AND mfa_challenge_hash IS NOT NULL",
            interactionHash, now)).first.map { Array(try $0.bytes("mfa_challenge_hash")) }
    }

    public func countInteractionFailure(interactionHash: Data, limit: Int, now: Date) async throws -> Int? {
        try await run(.read(ProviderRules.lockedInteraction(interactionHash, now: now)) { rows in
            guard let row = rows.first else { return .done(nil) }
            let attempts = Int(try row.int64("attempts")) + 1
            let statement = attempts >= limit
                ? SQLStatement("DELETE FROM oauth_interactions WHERE id_hash = ?", interactionHash)
                : SQLStatement("UPDATE oauth_interactions SET attempts = ? WHERE id_hash = ?", attempts, interactionHash)
            return .write(statement) { _ in .done(attempts) }
        })
    }

    public func setInteractionStage(interactionHash: Data, stage: Interaction.Stage, now: Date) async throws -> Bool {
        try await execute(SQLStatement(
            "UPDATE oauth_interactions SET stage = ? WHERE id_hash = ? AND expires_at > ?", stage.rawValue, interactionHash, now)) == 1
    }

    public func endInteraction(interactionHash: Data) async throws {
        _ = try await execute(SQLStatement("DELETE FROM oauth_interactions WHERE id_hash = ?", interactionHash))
    }

    public func grant(userId: Int64, clientId: String) async throws -> Set<String>? {
        try await query(SQLStatement("SELECT scopes FROM oauth_grants WHERE user_id = ? AND client_id = ?", userId, clientId)).first
            .map { Set(try $0.text("scopes").split(separator: " ").map(String.init)) }
    }

    public func issueCode(_ code: AuthorizationCode, interactionHash: Data, now: Date) async throws -> Bool {
        try await run(.read([
            ProviderRules.lockedInteraction(interactionHash, now: now),
            SQLStatement("SELECT id FROM login_sessions WHERE id = ? AND \(SessionSQL.active)", code.sessionId, now, lock: .forUpdate(of: nil)),
            SQLStatement("SELECT scopes FROM oauth_grants WHERE user_id = ? AND client_id = ?", code.userId, code.clientId,
                         lock: .forUpdate(of: nil)),
        ]) { rows in
            guard !rows[0].isEmpty, !rows[1].isEmpty else { return .done(false) }
            let scopes = code.scopes.joined(separator: " ")
            var statements = [
                SQLStatement("""
                    INSERT INTO oauth_codes (\(ProviderRules.codeColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, code.codeHash, code.clientId, code.userId, code.sessionId, code.redirectURI, scopes, code.nonce,
                    code.codeChallenge, code.createdAt, code.expiresAt, code.usedAt),
                SQLStatement("DELETE FROM oauth_interactions WHERE id_hash = ?", interactionHash),
            ]
            if let granted = try rows[2].first?.text("scopes") {
                let merged = ProviderRules.merged(granted.split(separator: " ").map(String.init), code.scopes)
                statements.append(SQLStatement("UPDATE oauth_grants SET scopes = ?, updated_at = ? WHERE user_id = ? AND client_id = ?",
                                               merged, now, code.userId, code.clientId))
            } else {
                statements.append(SQLStatement("INSERT INTO oauth_grants (user_id, client_id, scopes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                                               code.userId, code.clientId, scopes, now, now))
            }
            return .writes(statements, then: .done(true))
        })
    }
}

enum ProviderRules {
    static let codeColumns = "code_hash, client_id, user_id, session_id, redirect_uri, scopes, nonce, code_challenge, created_at, expires_at, used_at"

    static func lockedInteraction(_ hash: Data, now: Date) -> SQLStatement {
        SQLStatement("SELECT attempts FROM oauth_interactions WHERE id_hash = ? AND expires_at > ?", hash, now, lock: .forUpdate(of: nil))
    }

    /// The granted scopes and the new ones, each once, in a stable order.
    static func merged(_ granted: [String], _ added: [String]) -> String {
        var scopes = granted
        for scope in added where !scopes.contains(scope) { scopes.append(scope) }
        return scopes.joined(separator: " ")
    }
}
