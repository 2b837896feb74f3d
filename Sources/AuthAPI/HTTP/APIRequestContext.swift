import Hummingbird
import NIOCore
import Shared

/// The request context: Hummingbird's core storage plus the peer address, which is the
/// client IP of per-IP throttling and of the session record.
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peerIP: String
    /// The client's address: the peer, or what a trusted proxy forwarded (set by the router).
    var clientIP: String
    /// The peer is one of `AUTH_TRUSTED_PROXIES`, so its `X-Forwarded-Proto`/`-Host` are believed (set by the router).
    var viaTrustedProxy = false
    /// The `{id}` segment of the matched route, percent-decoded (set by the router).
    var routeParameter: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
        clientIP = peerIP
    }

    /// The contract's limit: a body of exactly 64 KiB is read, one byte more is 413.
    var maxUploadSize: Int { APIRouter.maxBodySize }
}
