import Foundation

/// An application that signs its users in through the OpenID Provider. Not `Codable`: it holds
/// its secret's keyed hash, which no response may carry.
public struct OAuthClient: Sendable, Equatable {
    /// Random, 24 characters of `[A-Za-z0-9_-]` (the contract asks 22 or more).
    public var clientId: String
    public var name: String
    /// Compared exactly with a request's `redirect_uri`: no normalisation, wildcards or ports.
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]
    /// A public client (a native or browser app) has no secret; PKCE is its proof.
    public var isPublic: Bool
    /// Never shows a consent page (the grant is recorded all the same).
    public var firstParty: Bool
    /// Always true for a public client; a confidential one may turn it off, and then its
    /// requests must carry a `nonce` instead.
    public var requirePKCE: Bool
    public var createdAt: Date
    /// `ClientSecrets`' keyed hash of the secret; nil for a public client.
    public var secretHash: Data?

    public init(clientId: String, name: String, redirectURIs: [String], postLogoutRedirectURIs: [String] = [], isPublic: Bool,
                firstParty: Bool = false, requirePKCE: Bool = true, createdAt: Date, secretHash: Data? = nil) {
        self.clientId = clientId
        self.name = name
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.isPublic = isPublic
        self.firstParty = firstParty
        self.requirePKCE = requirePKCE
        self.createdAt = createdAt
        self.secretHash = secretHash
    }
}
