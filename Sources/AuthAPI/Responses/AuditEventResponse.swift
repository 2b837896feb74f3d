import Shared

/// An audit event as staff and the export see it.
struct AuditEventResponse: Encodable, Sendable {
    let id: Int64
    let type: String
    let userId: Int64?
    let actorId: Int64?
    let ip: String
    let detail: String
    let createdAt: String

    init(_ record: AuditRecord) {
        id = record.id ?? 0
        type = record.event.rawValue
        userId = record.userId
        actorId = record.actorId
        ip = record.ip
        detail = record.detail
        createdAt = ISO8601Text.string(record.createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, type, ip, detail
        case userId = "user_id"
        case actorId = "actor_id"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(userId, forKey: .userId)
        try container.encode(actorId, forKey: .actorId)
        try container.encode(ip, forKey: .ip)
        try container.encode(detail, forKey: .detail)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
