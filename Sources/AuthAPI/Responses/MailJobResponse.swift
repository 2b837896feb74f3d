import Shared

/// A mail job as staff see it: whom it is for, never its code (the code is made by the worker
/// and stored only as a hash).
struct MailJobResponse: JSONBody {
    let id: Int64
    let kind: String
    let to: String
    let state: String
    let attempts: Int
    let lastError: String?
    let createdAt: String
    let updatedAt: String

    init(_ job: MailJob) {
        id = job.id ?? 0
        kind = job.kind.rawValue
        to = (try? job.decodedPayload().email) ?? ""
        state = job.state.rawValue
        attempts = job.attempts
        lastError = job.lastError
        createdAt = ISO8601Text.string(job.createdAt)
        updatedAt = ISO8601Text.string(job.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, to, state, attempts
        case lastError = "last_error"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(to, forKey: .to)
        try container.encode(state, forKey: .state)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
