import Foundation

/// An authorization code as stored: by its hash only, single use, for `AUTH_OIDC_CODE_TTL`,
/// bound to its client, redirect URI, PKCE challenge and the sign-in session it came from.
public struct AuthorizationCode: Sendable, Equatable {
    public var codeHash: Data
    public var clientId: String
    public var userId: Int64
    public var sessionId: String
    public var redirectURI: String
    public var scopes: [String]
    public var nonce: String?
    public var codeChallenge: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(codeHash: Data, clientId: String, userId: Int64, sessionId: String, redirectURI: String, scopes: [String], nonce: String?,
                codeChallenge: String?, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.codeHash = codeHash
        self.clientId = clientId
        self.userId = userId
        self.sessionId = sessionId
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.nonce = nonce
        self.codeChallenge = codeChallenge
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}
