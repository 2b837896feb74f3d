import Foundation

/// The one home of the pending authorization requests' storage, for both databases.
extension TransactionRunner {
    public func insertInteraction(_ interaction: Interaction) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let request = String(decoding: try encoder.encode(StoredAuthorization(interaction.request)), as: UTF8.self)
        _ = try await execute(SQLStatement("""
            INSERT INTO oauth_interactions (\(InteractionRules.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, interaction.idHash, interaction.browserHash, interaction.request.client.clientId, request, interaction.userId,
            interaction.sessionId, interaction.stage.rawValue, interaction.attempts, interaction.createdAt, interaction.expiresAt))
    }

    public func interaction(idHash: Data, browserHash: Data, now: Date) async throws -> Interaction? {
        try await snapshot(.read(SQLStatement(
            "SELECT \(InteractionRules.columns) FROM oauth_interactions WHERE id_hash = ? AND browser_hash = ? AND expires_at > ?",
            idHash, browserHash, now)) { rows in
            guard let row = rows.first else { return .done(nil) }
            let clientId = try row.text("client_id")
            return .read(SQLStatement("SELECT \(ClientRules.columns) FROM oauth_clients WHERE client_id = ?", clientId)) { clients in
                guard let client = try clients.first.map(ClientRules.client) else { return .done(nil) }
                return .done(try InteractionRules.interaction(row, client: client))
            }
        })
    }
}

enum InteractionRules {
    static let columns = "id_hash, browser_hash, client_id, request, user_id, session_id, stage, attempts, created_at, expires_at"

    static func interaction(_ row: SQLRow, client: OAuthClient) throws -> Interaction? {
        let stored = try JSONDecoder().decode(StoredAuthorization.self, from: Data(try row.text("request").utf8))
        guard let stage = Interaction.Stage(rawValue: try row.text("stage")) else { return nil }
        return Interaction(
            idHash: try row.bytes("id_hash"), browserHash: try row.bytes("browser_hash"), request: stored.request(client: client),
            userId: try row.optionalInt64("user_id"), sessionId: try row.optionalText("session_id"), stage: stage, attempts: Int(try row.int64("attempts")), createdAt: try row.date("created_at"),
            expiresAt: try row.date("expires_at"))
    }
}
