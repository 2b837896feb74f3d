import Shared

/// A login session as the export shows it: every stored one, ended ones included, with its
/// level; never its refresh `jti`.
struct ExportedSession: Encodable, Sendable {
    let id: String
    let createdAt: String
    let lastUsedAt: String
    let expiresAt: String
    let revokedAt: String?
    let revokeReason: String?
    let userAgent: String
    let ip: String
    let aal: Int
    let amr: [String]

    init(_ session: LoginSession) {
        id = session.id
        createdAt = ISO8601Text.string(session.createdAt)
        lastUsedAt = ISO8601Text.string(session.lastUsedAt)
        expiresAt = ISO8601Text.string(session.expiresAt)
        revokedAt = session.revokedAt.map(ISO8601Text.string)
        revokeReason = session.revokeReason
        userAgent = session.userAgent
        ip = session.ip
        aal = session.level.aal
        amr = session.level.amr
    }

    enum CodingKeys: String, CodingKey {
        case id, ip, aal, amr
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
        case revokeReason = "revoke_reason"
        case userAgent = "user_agent"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastUsedAt, forKey: .lastUsedAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(revokedAt, forKey: .revokedAt)
        try c.encode(revokeReason, forKey: .revokeReason)
        try c.encode(userAgent, forKey: .userAgent)
        try c.encode(ip, forKey: .ip)
        try c.encode(aal, forKey: .aal)
        try c.encode(amr, forKey: .amr)
    }
}
