import Foundation
import Hummingbird
import Shared

/// The provider's cookies (`op_browser`, later `op_session`): HttpOnly, SameSite=Lax, scoped to
/// `{issuer path}/oauth/`, living `AUTH_OIDC_SESSION_TTL`, Secure unless the issuer is http://.
struct ProviderCookies: Sendable {
    static let browser = "op_browser"
    /// The sign-in session: set once the last factor passes, a new value at every sign-in.
    static let session = "op_session"

    let path: String
    let maxAge: Int
    let secure: Bool

    init(provider: ProviderConfiguration) {
        path = provider.issuerPath + "/oauth/"
        maxAge = Int(provider.sessionTTL)
        secure = provider.isSecure
    }

    func setCookie(_ name: String, _ value: String) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    func value(_ name: String, in request: Request) -> String? {
        CookieHeader.values(name, in: request).first
    }
}
