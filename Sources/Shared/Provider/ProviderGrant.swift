import Foundation

/// A user's consent for one client: the scopes granted so far, remembered so the consent page
/// asks again only for new ones (first-party clients get one too, without a page).
public struct ProviderGrant: Sendable, Equatable {
    public var clientId: String
    public var clientName: String
    public var scopes: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(clientId: String, clientName: String, scopes: [String], createdAt: Date, updatedAt: Date) {
        self.clientId = clientId
        self.clientName = clientName
        self.scopes = scopes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The grant rows joined with their client's name, newest first.
    static func statement(userId: Int64) -> SQLStatement {
        SQLStatement("""
            SELECT oauth_grants.client_id, oauth_clients.name, oauth_grants.scopes, oauth_grants.created_at, oauth_grants.updated_at
            FROM oauth_grants JOIN oauth_clients ON oauth_clients.client_id = oauth_grants.client_id
            WHERE oauth_grants.user_id = ? ORDER BY oauth_grants.updated_at DESC, oauth_grants.client_id
            """, userId)
    }

    init(row: SQLRow) throws {
        self.init(clientId: try row.text("client_id"), clientName: try row.text("name"),
                  scopes: try row.text("scopes").split(separator: " ").map(String.init), createdAt: try row.date("created_at"),
                  updatedAt: try row.date("updated_at"))
    }
}
