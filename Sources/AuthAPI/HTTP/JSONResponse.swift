import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

/// JSON responses in the contract's content type; anything carrying tokens or personal data
/// is sent with `Cache-Control: no-store`.
enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, noStore: Bool = true) throws -> Response {
        let bytes: [UInt8]
        if let direct = value as? any DirectJSON {
            bytes = direct.jsonBytes()
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            bytes = Array(try encoder.encode(value))
        }
        var headers: HTTPFields = [.contentType: contentType]
        if noStore { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// 205 Reset Content: no body at all.
    static func resetContent() -> Response {
        Response(status: .resetContent, headers: [.cacheControl: "no-store"])
    }

    /// 204 No Content.
    static func noContent() -> Response {
        Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }
}

/// A response body written by hand, for the one on every authenticated read (the user): the
/// same text `JSONEncoder` writes with sorted keys and unescaped slashes (a test compares them),
/// at a fraction of the cost.
protocol DirectJSON {
    func jsonBytes() -> [UInt8]
}

/// User fields with the session's tokens, flattened into one object as the contract shows.
/// In cookie-only mode the tokens are left out (they travel in cookies).
struct AuthResponse: Encodable {
    let user: UserResponse
    let tokens: TokenPair?

    init(_ result: AuthResult, includeTokens: Bool) {
        user = UserResponse(result.user)
        tokens = includeTokens ? result.tokens : nil
    }

    func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        try tokens.map { try TokenPairResponse($0).encode(to: encoder) }
    }
}

/// `{"access", "refresh"}`, or `{}` when the tokens travel in cookies only.
struct TokenPairResponse: Encodable {
    let access: String?
    let refresh: String?

    init(_ pair: TokenPair?) {
        access = pair?.access
        refresh = pair?.refresh
    }

    enum CodingKeys: String, CodingKey { case access, refresh }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(access, forKey: .access)
        try container.encodeIfPresent(refresh, forKey: .refresh)
    }
}

/// A session as `GET /sessions/` lists it.
struct SessionResponse: Encodable {
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

struct DetailResponse: Encodable {
    let detail: String
}

struct EmptyResponse: Encodable {}

/// `GET /csrf/`: `{"csrftoken": "…"}`.
struct CSRFResponse: Encodable {
    let csrftoken: String
}
