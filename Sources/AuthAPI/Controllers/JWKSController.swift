import Hummingbird
import NIOCore
import Shared

/// `GET /.well-known/jwks.json`: the public keys resource servers verify tokens with. Every
/// resource server fetches it, so it is served from the key ring's prepared document, cacheable
/// for `AUTH_JWKS_MAX_AGE` seconds; under HS256 there is nothing to publish (`{"keys": []}`)
/// unless the OpenID Provider is on (its RS256 keys are published beside the account keys).
struct JWKSController {
    let rings: [KeyRing]
    let maxAge: Int

    init(rings: [KeyRing] = [], maxAge: Int = 600) {
        self.rings = rings
        self.maxAge = maxAge
    }

    static let empty = Array(#"{"keys":[]}"#.utf8)

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("jwks.json", use: jwks)
        return routes
    }

    @Sendable func jwks(_ request: Request, context: APIRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: Response.jsonContentType, .cacheControl: "public, max-age=\(maxAge)"],
            body: .init(byteBuffer: ByteBuffer(bytes: rings.isEmpty ? Self.empty : KeyRing.jwks(rings))))
    }
}
