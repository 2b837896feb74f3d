import Hummingbird
import HummingbirdAuth
import NIOCore
import Shared

/// The context of every API request: Hummingbird's core storage, the client's address (the
/// peer, or what a trusted proxy forwarded), the cookies the request carries in cookie mode,
/// and the caller once the authenticator has proven one. Protected routes never read
/// `identity` themselves: their group turns this context into an `AuthenticatedRequestContext`.
struct APIRequestContext: AuthRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer: the client, or the proxy in front of it.
    let peerIP: String
    /// The client's address, for per-IP throttling and the session record (`ClientAddressMiddleware`).
    var clientIP: String
    /// The peer is one of `AUTH_TRUSTED_PROXIES`, so its `X-Forwarded-Proto`/`-Host` are believed.
    var viaTrustedProxy = false
    /// The token cookies and their CSRF verdict (`CookieCredentialsMiddleware`, cookie mode only).
    var cookies = CookieCredentials.none
    /// The authenticated caller (`AccessTokenAuthenticator`), on protected groups only.
    var identity: Authenticated?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
        clientIP = peerIP
    }

    /// The contract's limit: a body of exactly 64 KiB is read, one byte more is 413.
    static let maxBodySize = 64 * 1024
    var maxUploadSize: Int { Self.maxBodySize }
}
