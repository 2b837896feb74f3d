import Foundation

/// One login: what a refresh token belongs to. Rotation replaces `refreshJti`; a token whose
/// jti is not the current one is a replay and ends the session. Access tokens carry the
/// session id, so ending the session stops them too.
public struct LoginSession: Sendable, Equatable {
    public var id: String
    public var userId: Int64
    public var refreshJti: String
    public var createdAt: Date
    public var lastUsedAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var revokeReason: String?
    public var userAgent: String
    public var ip: String
    /// How the session was authenticated (its tokens' `aal` and `amr`).
    public var level: SessionLevel

    public init(
        id: String, userId: Int64, refreshJti: String, createdAt: Date, expiresAt: Date,
        userAgent: String, ip: String, level: SessionLevel = .password
    ) {
        self.id = id
        self.userId = userId
        self.refreshJti = refreshJti
        self.createdAt = createdAt
        self.lastUsedAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = nil
        self.revokeReason = nil
        self.userAgent = userAgent
        self.ip = ip
        self.level = level
    }
}

extension LoginSession {
    /// A session to open for a user whose id is not known yet: the store assigns it in the
    /// transaction that creates the user, and only then is the session whole.
    public struct Draft: Sendable, Equatable {
        public var id: String
        public var refreshJti: String
        public var createdAt: Date
        public var expiresAt: Date
        public var userAgent: String
        public var ip: String

        public init(id: String, refreshJti: String, createdAt: Date, expiresAt: Date, userAgent: String, ip: String) {
            self.id = id
            self.refreshJti = refreshJti
            self.createdAt = createdAt
            self.expiresAt = expiresAt
            self.userAgent = userAgent
            self.ip = ip
        }

        public func session(for userId: Int64, level: SessionLevel = .password) -> LoginSession {
            LoginSession(id: id, userId: userId, refreshJti: refreshJti, createdAt: createdAt, expiresAt: expiresAt,
                         userAgent: userAgent, ip: ip, level: level)
        }
    }
}

/// Who is logging in: recorded on the session, and the key of per-IP throttling.
public struct ClientInfo: Sendable, Equatable {
    public var ip: String
    public var userAgent: String

    public init(ip: String, userAgent: String) {
        self.ip = ip
        // Bounded: a header is attacker-controlled and is stored.
        self.userAgent = String(userAgent.prefix(512))
    }
}
