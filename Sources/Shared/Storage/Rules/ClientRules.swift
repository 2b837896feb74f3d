import Foundation

/// The one home of the clients' storage rules, for both databases. The URIs are kept as a JSON
/// array of the exact strings registered; a confidential client always has a secret hash, a
/// public one never (`replaceClientSecret` refuses public clients in its own `WHERE`).
extension TransactionRunner {
    public func insertClient(_ client: OAuthClient) async throws {
        _ = try await execute(SQLStatement("""
            INSERT INTO oauth_clients (\(ClientRules.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, client.clientId, client.name, ClientRules.list(client.redirectURIs), ClientRules.list(client.postLogoutRedirectURIs),
            client.isPublic, client.firstParty, client.requirePKCE, client.secretHash, client.createdAt))
    }

    public func clients(page: PageRequest) async throws -> Page<OAuthClient> {
        try await snapshot(AdminRules.paged(
            from: "oauth_clients", where: [], [], select: ClientRules.columns, orderBy: "created_at, client_id", page: page,
            ClientRules.client))
    }

    public func client(id: String) async throws -> OAuthClient? {
        try await query(SQLStatement("SELECT \(ClientRules.columns) FROM oauth_clients WHERE client_id = ?", id)).first
            .map(ClientRules.client)
    }

    public func updateClient(_ client: OAuthClient) async throws -> OAuthClient? {
        let changed = try await execute(SQLStatement("""
            UPDATE oauth_clients SET name = ?, redirect_uris = ?, post_logout_redirect_uris = ?, first_party = ?, require_pkce = ?
            WHERE client_id = ?
            """, client.name, ClientRules.list(client.redirectURIs), ClientRules.list(client.postLogoutRedirectURIs), client.firstParty,
            client.requirePKCE, client.clientId))
        return changed == 0 ? nil : try await self.client(id: client.clientId)
    }

    public func deleteClient(id: String) async throws -> Bool {
        try await execute(SQLStatement("DELETE FROM oauth_clients WHERE client_id = ?", id)) > 0
    }

    public func replaceClientSecret(id: String, hash: Data) async throws -> Bool {
        try await execute(SQLStatement(
            "UPDATE oauth_clients SET secret_hash = ? WHERE client_id = ? AND is_public = ?", hash, id, false)) > 0
    }
}

/// The client rows as the rules read and write them.
enum ClientRules {
    static let columns = "client_id, name, redirect_uris, post_logout_redirect_uris, is_public, first_party, require_pkce, secret_hash, created_at"

    static func list(_ uris: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(uris)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func client(_ row: SQLRow) throws -> OAuthClient {
        func uris(_ column: String) throws -> [String] {
            try JSONDecoder().decode([String].self, from: Data(try row.text(column).utf8))
        }
        let hash = try row.optionalBytes("secret_hash")
        return OAuthClient(
            clientId: try row.text("client_id"), name: try row.text("name"), redirectURIs: try uris("redirect_uris"),
            postLogoutRedirectURIs: try uris("post_logout_redirect_uris"), isPublic: try row.bool("is_public"),
            firstParty: try row.bool("first_party"), requirePKCE: try row.bool("require_pkce"), createdAt: try row.date("created_at"),
            secretHash: hash)
    }
}
