import Hummingbird
import NIOCore
import Shared

/// `GET /.well-known/jwks.json`: the public keys resource servers verify tokens with. Every
/// resource server fetches it, so it is served from the key ring's prepared document, cacheable
/// for `AUTH_JWKS_MAX_AGE` seconds; under HS256 there is nothing to publish (`{"keys": []}`).
struct JWKSController {
    let ring: KeyRing?
    let maxAge: Int

    static let empty = Array(#"{"keys":[]}"#.utf8)

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("jwks.json", use: jwks)
        return routes
    }

    @Sendable func jwks(_ request: Request, context: APIRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: Response.jsonContentType, .cacheControl: "public, max-age=\(maxAge)"],
            body: .init(byteBuffer: ByteBuffer(bytes: ring?.jwks ?? Self.empty)))
    }
}
