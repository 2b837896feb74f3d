import Foundation
import Hummingbird
import Shared

/// A user as staff see it: the user fields plus `is_active` and `last_login`.
struct AdminUserResponse: Encodable {
    let user: UserResponse
    let isActive: Bool
    let lastLogin: String?
    /// The active sessions, in the user's detail only.
    let sessions: [SessionResponse]?

    init(_ user: User, sessions: [LoginSession]? = nil) {
        self.user = UserResponse(user)
        isActive = user.isActive
        lastLogin = user.lastLogin.map(ISO8601Text.string)
        self.sessions = sessions?.map { SessionResponse($0, current: nil) }
    }

    enum CodingKeys: String, CodingKey {
        case isActive = "is_active"
        case lastLogin = "last_login"
        case sessions
    }

    func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isActive, forKey: .isActive)
        try container.encode(lastLogin, forKey: .lastLogin)
        try container.encodeIfPresent(sessions, forKey: .sessions)
    }
}

/// A mail job as staff see it: whom it is for, never its code (the code is made by the worker
/// and stored only as a hash).
struct MailJobResponse: Encodable {
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

/// An audit event as staff and the export see it.
struct AuditEventResponse: Encodable {
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

/// DRF's page-number pagination: `{"count", "next", "previous", "results"}`, the links absolute
/// URLs of this request with `page` replaced (dropped for the first page, as DRF does).
struct PageResponse<Item: Encodable>: Encodable {
    let count: Int
    let next: String?
    let previous: String?
    let results: [Item]

    init<Source>(_ page: Page<Source>, request: Request, context: APIRequestContext, map: (Source) -> Item) {
        count = page.count
        results = page.items.map(map)
        let origin = request.publicOrigin(context)
        next = page.hasNext ? Self.link(request, origin: origin, page: page.request.number + 1) : nil
        previous = page.hasPrevious ? Self.link(request, origin: origin, page: page.request.number - 1) : nil
    }

    enum CodingKeys: String, CodingKey { case count, next, previous, results }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(next, forKey: .next)
        try container.encode(previous, forKey: .previous)
        try container.encode(results, forKey: .results)
    }

    /// This request's URL with `page` set to `number` (removed for page 1), the rest of the query
    /// kept as it was sent, in order; absolute as DRF writes it when the origin is known, else
    /// a path-only reference.
    static func link(_ request: Request, origin: String?, page number: Int) -> String {
        var pairs = (request.uri.query ?? "").split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return (name.removingPercentEncoding ?? String(name)) != "page"
        }.map(String.init)
        if number > 1 { pairs.append("page=\(number)") }
        return (origin ?? "") + request.uri.path + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
    }
}
