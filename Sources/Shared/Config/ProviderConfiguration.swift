import Foundation

/// The OpenID Provider's settings (`AUTH_OIDC_*`). The provider is on when `AUTH_OIDC_ISSUER`
/// is set; unset, discovery and `/oauth/*` do not exist (404), as the contract says.
public struct ProviderConfiguration: Sendable, Equatable {
    /// The issuer exactly as tokens and discovery carry it: no trailing `/`.
    public var issuer: String
    /// `AUTH_OIDC_CODE_TTL`: authorization code lifetime.
    public var codeTTL: TimeInterval
    /// `AUTH_OIDC_ID_TOKEN_TTL`.
    public var idTokenTTL: TimeInterval
    /// `AUTH_OIDC_SESSION_TTL`: the sign-in session's absolute lifetime, and its cookies' Max-Age.
    public var sessionTTL: TimeInterval
    /// `AUTH_OIDC_AUDIENCE`: the `aud` of every access token; nil: the client_id.
    public var audience: String?
    /// `AUTH_OIDC_TEMPLATES`: a folder whose `*.mustache` files and `style.css` replace the
    /// built-in sign-in pages' of the same name (read at start).
    public var templatesDirectory: String?

    public init(issuer: String, codeTTL: TimeInterval = 60, idTokenTTL: TimeInterval = 300, sessionTTL: TimeInterval = 86_400,
                audience: String? = nil, templatesDirectory: String? = nil) {
        self.issuer = issuer
        self.codeTTL = codeTTL
        self.idTokenTTL = idTokenTTL
        self.sessionTTL = sessionTTL
        self.audience = audience
        self.templatesDirectory = templatesDirectory
    }

    /// The issuer's path (`""` or `/prefix`): a prefix a proxy strips before the request
    /// reaches this service, so it appears in the URLs the provider hands out (form actions,
    /// cookie paths, redirects to its pages), never in the routes it serves.
    public var issuerPath: String { URLComponents(string: issuer)?.path ?? "" }

    /// `http://` is allowed on loopback only, and then cookies cannot be `Secure`.
    public var isSecure: Bool { issuer.hasPrefix("https://") }

    /// `{issuer}/path`: the absolute URL of one of the provider's endpoints.
    public func url(_ path: String) -> String { issuer + path }

    /// Reads the `AUTH_OIDC_*` variables; nil when the provider is off. Problems go to `env`.
    static func read(_ env: inout EnvironmentReader) -> ProviderConfiguration? {
        guard let text = env.raw("AUTH_OIDC_ISSUER") else { return nil }
        let codeTTL = env.integer("AUTH_OIDC_CODE_TTL", default: 60, range: 1...600)
        let idTokenTTL = env.integer("AUTH_OIDC_ID_TOKEN_TTL", default: 300, range: 1...86_400)
        let sessionTTL = env.integer("AUTH_OIDC_SESSION_TTL", default: 86_400, range: 60...31_536_000)
        let audience = env.raw("AUTH_OIDC_AUDIENCE")
        let templates = env.raw("AUTH_OIDC_TEMPLATES")
        var isDirectory: ObjCBool = false
        if let templates, !(FileManager.default.fileExists(atPath: templates, isDirectory: &isDirectory) && isDirectory.boolValue) {
            env.report("AUTH_OIDC_TEMPLATES=\(templates): not a directory")
        }
        guard let issuer = Self.issuer(text) else {
            env.report("AUTH_OIDC_ISSUER=\(text): expected an absolute https:// URL (http:// only on a loopback host) "
                + "without query or fragment, like https://id.example.com")
            return nil
        }
        return ProviderConfiguration(
            issuer: issuer, codeTTL: TimeInterval(codeTTL), idTokenTTL: TimeInterval(idTokenTTL),
            sessionTTL: TimeInterval(sessionTTL), audience: audience, templatesDirectory: templates)
    }

    /// The issuer with its trailing `/` dropped, or nil when the text is not one the contract
    /// allows: absolute, `https`, or `http` on `localhost`, `127.0.0.0/8` or `[::1]`; a host;
    /// no query, fragment or user part.
    public static func issuer(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil, url.password == nil,
              text.hasPrefix(scheme + "://") || text.lowercased().hasPrefix(scheme + "://")
        else { return nil }
        switch scheme {
        case "https": break
        case "http": guard isLoopback(host) else { return nil }
        default: return nil
        }
        var issuer = text
        while issuer.hasSuffix("/") { issuer.removeLast() }
        guard URLComponents(string: issuer)?.host == host else { return nil }
        return issuer
    }

    /// `localhost`, an address in 127.0.0.0/8, or `::1` (bracketed in a URL).
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "[::1]" || name == "::1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in part.count <= 3 && UInt8(part) != nil }
    }
}
