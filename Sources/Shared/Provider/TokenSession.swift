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
    /// SHA-256 of the secret part of the current refresh token (`{id}.{secret}`).
    public var refreshHash: Data?
    /// The sign-in's `auth_time` and level, kept so that a refresh's ID token repeats them
    /// after the sign-in session itself is gone (`offline_access`).
    public var authTime: Date
    public var level: SessionLevel
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, userId: Int64, clientId: String, signInSessionId: String, scopes: [String], offline: Bool, refreshHash: Data?,
                authTime: Date, level: SessionLevel, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.userId = userId
        self.clientId = clientId
        self.signInSessionId = signInSessionId
        self.scopes = scopes
        self.offline = offline
        self.refreshHash = refreshHash
        self.authTime = authTime
        self.level = level
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// What a code exchange found: the code's user, with the token session now opened (which
/// carries the sign-in's `sid`, `auth_time`, `acr`, `amr`).
public struct CodeExchange: Sendable {
    public var code: AuthorizationCode
    public var user: User
    public var tokenSession: TokenSession
}

/// How a refresh ended.
public enum ProviderRefreshOutcome: Sendable {
    /// Rotated: the session (with its new hash) and its user.
    case rotated(TokenSession, User)
    /// Unknown, ended, expired, another client's: `invalid_grant`, nothing changes.
    case invalidGrant
    /// A rotated-out token of a live session: `invalid_grant`, and the session has ended.
    case reused(TokenSession)
    /// More scopes asked than granted: `invalid_scope`, nothing changes.
    case invalidScope
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
