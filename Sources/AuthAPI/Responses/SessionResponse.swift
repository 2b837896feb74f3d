import Shared

/// A session as `GET /sessions/` lists it (and the admin's user detail, without `current`).
struct SessionResponse: Encodable, Sendable {
    let id: String
    let createdAt: String
    let lastUsedAt: String
    let userAgent: String
    let ip: String
    /// Nil where the list is not the caller's own (the admin's user detail): then left out.
    let current: Bool?

    enum CodingKeys: String, CodingKey {
        case id, ip, current
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case userAgent = "user_agent"
    }

    init(_ session: LoginSession, current: Bool?) {
        id = session.id
        createdAt = ISO8601Text.string(session.createdAt)
        lastUsedAt = ISO8601Text.string(session.lastUsedAt)
        userAgent = session.userAgent
        ip = session.ip
        self.current = current
    }
}
