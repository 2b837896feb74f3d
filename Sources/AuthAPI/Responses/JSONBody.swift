import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A response body of the contract: JSON with sorted keys (so equal answers are byte-identical)
/// and unescaped slashes, in `application/json; charset=utf-8`, with `Cache-Control: no-store`
/// unless the route says otherwise — what DRF's `JSONRenderer` writes, and what a body holding
/// tokens or personal data needs. A handler returns one as it is (status 200), or makes its
/// response with another status.
protocol JSONBody: Encodable, ResponseGenerator {
    /// The body's bytes: `JSONEncoder`'s, unless a type writes its own (`UserResponse`).
    func jsonBytes() throws -> [UInt8]
}

extension JSONBody {
    func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try response()
    }

    func response(status: HTTPResponse.Status = .ok, noStore: Bool = true) throws -> Response {
        var headers: HTTPFields = [.contentType: Response.jsonContentType]
        if noStore { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try jsonBytes())))
    }
}

extension Response {
    static let jsonContentType = "application/json; charset=utf-8"

    /// 204 No Content.
    static var noContent: Response { Response(status: .noContent, headers: [.cacheControl: "no-store"]) }

    /// 205 Reset Content (the logouts): no body at all.
    static var resetContent: Response { Response(status: .resetContent, headers: [.cacheControl: "no-store"]) }
}
