import Shared

/// An audit event as the admin list shows it, and the User-Agent stored with it.
struct ExportedEvent: Encodable, Sendable {
    let event: AuditEventResponse
    let userAgent: String

    init(_ record: AuditRecord) {
        event = AuditEventResponse(record)
        userAgent = record.userAgent
    }

    enum CodingKeys: String, CodingKey { case userAgent = "user_agent" }

    func encode(to encoder: any Encoder) throws {
        try event.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(userAgent, forKey: .userAgent)
    }
}

