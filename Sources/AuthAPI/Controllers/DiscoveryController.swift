import Foundation
import Hummingbird
import NIOCore
import Shared

/// `GET /.well-known/openid-configuration`: the provider's metadata, made once at start (it
/// follows from the issuer alone). Registered only when the provider is on; otherwise the
/// path does not exist (404), as the contract says.
struct DiscoveryController {
    let document: ByteBuffer

    init(provider: ProviderConfiguration) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        document = ByteBuffer(bytes: try encoder.encode(ProviderMetadata(provider: provider)))
    }

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("openid-configuration", use: metadata)
        return routes
    }

    @Sendable func metadata(_ request: Request, context: APIRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: Response.jsonContentType, .cacheControl: "public, max-age=3600"],
                 body: .init(byteBuffer: document))
    }
}
