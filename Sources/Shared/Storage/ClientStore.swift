import Foundation

/// The OpenID Provider's registered clients (`oauth_clients`); the rules live in `ClientRules`,
/// once for both databases.
public protocol ClientStore: Sendable {
    func insertClient(_ client: OAuthClient) async throws
    /// A page of clients, oldest first.
    func clients(page: PageRequest) async throws -> Page<OAuthClient>
    func client(id: String) async throws -> OAuthClient?
    /// Stores the client's changeable fields (name, URIs, first_party, require_pkce); nil when
    /// there is no such client (deleted meanwhile).
    func updateClient(_ client: OAuthClient) async throws -> OAuthClient?
    /// False when there was no such client.
    func deleteClient(id: String) async throws -> Bool
    /// Replaces a confidential client's secret hash; false for an unknown or public client.
    func replaceClientSecret(id: String, hash: Data) async throws -> Bool
}
