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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers: HTTPFields = [.contentType: contentType]
        if noStore { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// 205 Reset Content: no body at all.
    static func resetContent() -> Response {
        Response(status: .resetContent, headers: [.cacheControl: "no-store"])
    }
}

/// User fields with the session's tokens, flattened into one object as the contract shows.
struct AuthResponse: Encodable {
    let user: UserResponse
    let access: String
    let refresh: String

    init(_ result: AuthResult) {
        user = UserResponse(result.user)
        access = result.tokens.access
        refresh = result.tokens.refresh
    }

    enum CodingKeys: String, CodingKey { case access, refresh }

    func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(access, forKey: .access)
        try container.encode(refresh, forKey: .refresh)
    }
}

struct TokenPairResponse: Encodable {
    let access: String
    let refresh: String
}

struct DetailResponse: Encodable {
    let detail: String
}

struct EmptyResponse: Encodable {}
