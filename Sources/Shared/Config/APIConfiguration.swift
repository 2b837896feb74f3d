import Foundation

/// Settings of the HTTP API process.
public struct APIConfiguration: Sendable {
    public var common: CommonConfiguration
    public var host: String
    public var port: Int
    public var throttleEnabled: Bool
    public var throttleRates: ThrottleRates
    /// `AUTH_COOKIE_MODE`: token responses also set HttpOnly cookies; requests may authenticate by cookie.
    public var cookieMode: Bool
    /// `AUTH_COOKIE_SECURE`: the `Secure` attribute on the cookies.
    public var cookieSecure: Bool
    /// `AUTH_COOKIE_ONLY`: tokens travel in cookies only, never in JSON bodies (implies cookie mode).
    public var cookieOnly: Bool
    /// `AUTH_CORS_ORIGINS`: exact origins allowed to call the API from a browser, with credentials.
    public var corsOrigins: Set<String>
    /// `AUTH_CSRF_COOKIE_DOMAIN`: the `Domain` of the `csrftoken` cookie (like Django's
    /// `CSRF_COOKIE_DOMAIN`), so a page on a sibling sub-domain can read it; nil: host-only.
    public var csrfCookieDomain: String?
    /// `AUTH_TRUSTED_PROXIES`: peers (addresses or CIDR networks) whose `X-Forwarded-For` is believed.
    public var trustedProxies: [ClientAddressResolver.Network]
    /// `AUTH_JWT_ALGORITHM`: HS256 (the secret key) or an asymmetric algorithm with the database's keys.
    public var jwtAlgorithm: SigningAlgorithm = .hs256
    /// `AUTH_JWKS_MAX_AGE`: the JWKS `Cache-Control` max-age, and how long a standby key must be
    /// published before it may sign, in seconds.
    public var jwksMaxAge: Int = 600
    /// `AUTH_KEYS_REFRESH`: how often each process reads the signing keys again, in seconds.
    public var keysRefresh: Int = 30
    /// `AUTH_METRICS_PORT`: where Prometheus scrapes `GET /metrics` (on `host`); nil: no metrics.
    public var metricsPort: Int?
    /// `AUTH_OIDC_*`: the OpenID Provider; nil (the default) when `AUTH_OIDC_ISSUER` is unset.
    public var provider: ProviderConfiguration?

    public init(
        common: CommonConfiguration = .init(),
        host: String = "127.0.0.1",
        port: Int = 8000,
        throttleEnabled: Bool = true,
        throttleRates: ThrottleRates = .defaults,
        cookieMode: Bool = false,
        cookieSecure: Bool = true,
        cookieOnly: Bool = false,
        corsOrigins: Set<String> = [],
        csrfCookieDomain: String? = nil,
        trustedProxies: [ClientAddressResolver.Network] = []
    ) {
        self.common = common
        self.host = host
        self.port = port
        self.throttleEnabled = throttleEnabled
        self.throttleRates = throttleRates
        self.cookieMode = cookieMode || cookieOnly
        self.cookieSecure = cookieSecure
        self.cookieOnly = cookieOnly
        self.corsOrigins = corsOrigins
        self.csrfCookieDomain = csrfCookieDomain
        self.trustedProxies = trustedProxies
    }

    /// Reads and validates every variable; throws one error listing all problems.
    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> APIConfiguration {
        var env = EnvironmentReader(values)
        let common = CommonConfiguration(reading: &env)
        let host = env.string("AUTH_HOST", default: "127.0.0.1")
        let port = env.integer("AUTH_PORT", default: 8000, range: 0...65_535)
        let throttle = env.flag("AUTH_THROTTLE", default: true)
        var rates = ThrottleRates.defaults
        if let text = env.raw("AUTH_THROTTLE_RATES") {
            do { rates = try ThrottleRates.parse(text, over: .defaults) } catch let error as ThrottleRates.ParseError {
                env.report("AUTH_THROTTLE_RATES=\(text): \(error.message)")
            } catch {}
        }
        let cookieMode = env.flag("AUTH_COOKIE_MODE", default: false)
        let cookieSecure = env.flag("AUTH_COOKIE_SECURE", default: true)
        let cookieOnly = env.flag("AUTH_COOKIE_ONLY", default: false)
        var origins = Set<String>()
        for item in (env.raw("AUTH_CORS_ORIGINS") ?? "").split(separator: ",") {
            let origin = item.trimmingCharacters(in: .whitespaces)
            guard let url = URLComponents(string: origin), let scheme = url.scheme, scheme == "http" || scheme == "https",
                  url.host?.isEmpty == false, url.path.isEmpty, url.query == nil
            else {
                env.report("AUTH_CORS_ORIGINS: \"\(origin)\" is not an origin like https://app.example.com")
                continue
            }
            origins.insert(origin)
        }
        var csrfDomain: String?
        if let text = env.raw("AUTH_CSRF_COOKIE_DOMAIN"), !text.isEmpty {
            // A bare domain name (a leading dot is allowed, as browsers ignore it): no scheme, port or path.
            let name = text.hasPrefix(".") ? text.dropFirst() : Substring(text)
            let labels = name.split(separator: ".", omittingEmptySubsequences: false)
            if labels.count >= 1, labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                    && label.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
            }) {
                csrfDomain = name.lowercased()
            } else {
                env.report("AUTH_CSRF_COOKIE_DOMAIN=\(text): expected a domain name like example.com")
            }
        }
        var proxies: [ClientAddressResolver.Network] = []
        for item in (env.raw("AUTH_TRUSTED_PROXIES") ?? "").split(separator: ",") {
            guard let network = ClientAddressResolver.Network(String(item)) else {
                env.report("AUTH_TRUSTED_PROXIES: \"\(item)\" is not an IP address or CIDR network")
                continue
            }
            proxies.append(network)
        }
        var algorithm = SigningAlgorithm.hs256
        if let text = env.raw("AUTH_JWT_ALGORITHM"), !text.isEmpty {
            if let named = SigningAlgorithm.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) {
                algorithm = named
            } else {
                env.report("AUTH_JWT_ALGORITHM=\(text): expected one of HS256, ES256, EdDSA, RS256")
            }
        }
        let jwksMaxAge = env.integer("AUTH_JWKS_MAX_AGE", default: 600, range: 0...604_800)
        let keysRefresh = env.integer("AUTH_KEYS_REFRESH", default: 30, range: 1...86_400)
        let metricsPort = env.optionalPort("AUTH_METRICS_PORT")
        let provider = ProviderConfiguration.read(&env)
        guard env.problems.isEmpty else { throw ConfigurationError(problems: env.problems) }
        var configuration = APIConfiguration(
            common: common, host: host, port: port, throttleEnabled: throttle, throttleRates: rates,
            cookieMode: cookieMode, cookieSecure: cookieSecure, cookieOnly: cookieOnly, corsOrigins: origins,
            csrfCookieDomain: csrfDomain, trustedProxies: proxies)
        configuration.jwtAlgorithm = algorithm
        configuration.jwksMaxAge = jwksMaxAge
        configuration.keysRefresh = keysRefresh
        configuration.metricsPort = metricsPort
        configuration.provider = provider
        return configuration
    }
}
