import Hummingbird
import NIOCore
import Shared

/// `GET /.well-known/jwks.json`: the public keys resource servers verify tokens with. Every
/// resource server fetches it, so it is served from the key ring's prepared document, cacheable
/// for `AUTH_JWKS_MAX_AGE` seconds; under HS256 there is nothing to publish (`{"keys": []}`).
struct JWKSController {
    let ring: KeyRing?
    let maxAge: Int

    static let path = "/.well-known/jwks.json"
    static let empty = Array(#"{"keys":[]}"#.utf8)

    func addRoutes(to router: inout APIRouter) {
        let cacheControl = "public, max-age=\(maxAge)"
        router.on(Self.path, .get) { [ring] _, _ in
            Response(
                status: .ok, headers: [.contentType: JSONResponse.contentType, .cacheControl: cacheControl],
                body: .init(byteBuffer: ByteBuffer(bytes: ring?.jwks ?? Self.empty)))
        }
    }
}
