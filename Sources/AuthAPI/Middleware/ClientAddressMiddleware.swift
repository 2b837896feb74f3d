import HTTPTypes
import Hummingbird
import Shared

/// The client's address behind `AUTH_TRUSTED_PROXIES`: `X-Forwarded-For` read from the right,
/// skipping trusted hops, and only when the peer is a trusted proxy (which also makes its
/// `X-Forwarded-Proto`/`-Host` believable for the links the API writes). Installed only when
/// proxies are listed; otherwise the peer is the client.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let resolver: ClientAddressResolver

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.viaTrustedProxy = resolver.isTrusted(context.peerIP)
        context.clientIP = resolver.resolve(peer: context.peerIP, forwardedFor: request.headers[values: Self.forwardedFor])
        return try await next(request, context)
    }
}
