import Foundation

/// What one code exchange opened: the client's access for the user, ended with its sign-in
/// session unless `offline_access` was granted (then it lives until its refresh token expires
/// or something ends it). Not one of the user's `/sessions/`.
public struct TokenSession: Sendable, Equatable {
    public var id: String
    public var userId: Int64
    public var clientId: String
    public var signInSessionId: String
    public var scopes: [String]
    public var offline: Bool
    public var refreshHash: Data?
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, userId: Int64, clientId: String, signInSessionId: String, scopes: [String], offline: Bool, refreshHash: Data?,
                createdAt: Date, expiresAt: Date) {
        self.id = id
        self.userId = userId
        self.clientId = clientId
        self.signInSessionId = signInSessionId
        self.scopes = scopes
        self.offline = offline
        self.refreshHash = refreshHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// What a code exchange found: the code's user, and the sign-in session it came from (its
/// `auth_time`, `acr`, `amr`), with the token session now opened.
public struct CodeExchange: Sendable {
    public var code: AuthorizationCode
    public var user: User
    public var signInSession: LoginSession
    public var tokenSession: TokenSession
}

/// How a code exchange ended.
public enum CodeRedemptionOutcome: Sendable {
    case exchanged(CodeExchange)
    /// Unknown, expired, another client's, another redirect URI, a wrong or missing verifier,
    /// an ended sign-in session: `invalid_grant`, nothing changes.
    case invalidGrant
    /// Used before: `invalid_grant`, and the token session it opened has ended.
    case reused(AuthorizationCode)
}
