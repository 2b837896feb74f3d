import Foundation
import Hummingbird
import Shared

/// The checks an unsafe request that uses a cookie must pass, as Django's `CsrfViewMiddleware`:
/// it comes from the API's own origin or a trusted one (its `Origin`, else its `Referer`; a
/// client with neither is not a browser), and its `X-CSRFToken` header equals a `csrftoken`
/// cookie it carries (the double submit).
struct CSRFPolicy: Sendable {
    let settings: CookieSettings

    /// Why `request` may not use its cookies, or nil when it may (safe methods always may).
    func refusal(of request: Request) -> APIError? {
        guard request.method != .get, request.method != .head, request.method != .options else { return nil }
        if let origin = Self.requestOrigin(request), !isTrusted(origin: origin, request: request) {
            return Self.failed("CSRF Failed: Origin checking failed - \(Self.printable(origin)) does not match any trusted origins.")
        }
        // Any of the request's `csrftoken` cookies may be the one the page read.
        guard let header = request.headers[TokenCookies.csrfHeader],
              CookieHeader.values(TokenCookies.csrfCookie, in: request).contains(where: { Self.constantTimeEqual(header, $0) })
        else {
            return Self.failed("CSRF Failed: CSRF token missing or incorrect.")
        }
        return nil
    }

    private static func failed(_ detail: String) -> APIError {
        APIError.detail(.forbidden, detail, code: "csrf_failed")
    }

    /// The origin a browser says the request comes from: `Origin`, else the origin of `Referer`
    /// (`"null"` and unparsable values stay as they are, and are trusted by nobody).
    static func requestOrigin(_ request: Request) -> String? {
        if let origin = request.headers[.origin] { return origin }
        guard let referer = request.headers[.referer] else { return nil }
        guard let url = URLComponents(string: referer), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
              !host.isEmpty
        else { return referer }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// The API's own origin (its `Host`, over https when the cookies are `Secure`, since they
    /// then only travel over TLS; either scheme otherwise, for local set-ups) or a listed one.
    func isTrusted(origin: String, request: Request) -> Bool {
        if settings.trustedOrigins.contains(origin) { return true }
        guard let host = request.head.authority else { return false }
        let schemes = settings.secure ? ["https"] : ["https", "http"]
        return schemes.contains { origin.lowercased() == "\($0)://\(host.lowercased())" }
    }

    /// An attacker-controlled header value made safe to echo in an error message.
    private static func printable(_ text: String) -> String {
        String(text.prefix(200).unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
