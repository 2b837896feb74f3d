import Foundation
import Shared
import TestSupport
import Testing

/// `/oauth/authorize` and the login page: the OpenID conformance suite's negative cases for
/// the authorization endpoint, written as our own tests (an unregistered redirect URI gets no
/// redirect; PKCE missing or plain; `prompt=none` without a session; …), and the pages' rules.
@Suite("OpenID Provider authorization endpoint")
struct AuthorizationTests {
    static let issuer = "http://127.0.0.1:9/idp"
    static let redirect = "https://rp.example.com/cb?tenant=7"
    /// RFC 7636 appendix B's verifier and its S256 challenge.
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    /// The secret of both confidential test clients.
    static let clientSecret = "a-client-secret-for-the-tests-0123456789abc"

    /// A server with the provider on and two clients: `pkce` (confidential, PKCE required) and
    /// `legacy` (confidential, PKCE off).
    static func server(_ extra: [String: String] = [:]) async throws -> TestServer {
        let server = try await TestServer(environment: ["AUTH_OIDC_ISSUER": issuer].merging(extra) { $1 })
        try await server.withDatabase { db in
            for (id, pkce) in [("pkce-client-0123456789ab", true), ("legacy-client-0123456789", false)] {
                try await db.insertClient(OAuthClient(
                    clientId: id, name: "Rélying <Party> & \"Co\"", redirectURIs: [redirect, "http://127.0.0.1:8080/cb"], isPublic: false,
                    requirePKCE: pkce, createdAt: Date(),
                    secretHash: ClientSecrets(secretKey: TestServer.secretKey, random: SecureRandom()).hash(clientSecret, clientId: id)))
            }
        }
        return server
    }

    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
    }

    static let valid: [(String, String)] = [
        ("response_type", "code"), ("client_id", "pkce-client-0123456789ab"), ("redirect_uri", redirect), ("scope", "openid email"),
        ("state", "st ate/é"), ("code_challenge", challenge), ("code_challenge_method", "S256"),
    ]

    static func replacing(_ name: String, with value: String?) -> [(String, String)] {
        var items = valid.filter { $0.0 != name }
        if let value { items.append((name, value)) }
        return items
    }

    /// The redirect's query items, after checking it goes to the registered URI with its own query kept.
    static func redirectItems(_ response: HTTPResult) throws -> [String: String] {
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix(redirect + "&"), "\(location)")
        // Form decoding (`+` is a space), as RFC 6749 §4.1.2 adds the parameters and clients read them.
        let query = try #require(FormEncoding.decode(Array((URLComponents(string: location)?.percentEncodedQuery ?? "").utf8)))
        return Dictionary(query, uniquingKeysWith: { first, _ in first })
    }

    static func expectPage(_ response: HTTPResult, status: Int = 400, _ comment: Comment? = nil) {
        #expect(response.status == status, comment)
        #expect(response.header("Location") == nil, comment)
        #expect(response.header("Content-Type") == "text/html; charset=utf-8")
        #expect(response.header("Cache-Control") == "no-store" && response.header("X-Frame-Options") == "DENY")
        #expect(response.header("Referrer-Policy") == "no-referrer" && response.header("X-Content-Type-Options") == "nosniff")
        let csp = response.header("Content-Security-Policy") ?? ""
        #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && csp.contains("base-uri 'none'"))
        #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains("form-action"))
        #expect(!response.text.contains("<script") && response.text.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil)
    }

    @Test("Off without AUTH_OIDC_ISSUER: /oauth/authorize is 404")
    func off() async throws {
        let server = try await TestServer()
        #expect(try await server.client().get("/oauth/authorize?" + Self.query(Self.valid)).status == 404)
    }

    @Test("No redirect without a known client and its exact redirect URI, or with a parameter given twice: the 400 page")
    func errorPages() async throws {
        let server = try await Self.server()
        let client = server.client()
        let cases: [[(String, String)]] = [
            Self.replacing("client_id", with: "unknown-client"),
            Self.replacing("client_id", with: nil),
            Self.replacing("redirect_uri", with: nil),
            Self.replacing("redirect_uri", with: "https://rp.example.com/cb"),
            Self.replacing("redirect_uri", with: Self.redirect + "&x=1"),
            Self.replacing("redirect_uri", with: "https://evil.example.com/cb"),
            Self.valid + [("scope", "openid")],
        ]
        for items in cases {
            let response = try await client.get("/oauth/authorize?" + Self.query(items))
            Self.expectPage(response, "\(items)")
            #expect(response.text.contains(#"id="error""#))
        }
    }

    @Test("Everything else goes back to the client as an error, with state and iss, its own query kept")
    func errorRedirects() async throws {
        let server = try await Self.server()
        let client = server.client()
        let cases: [([(String, String)], String)] = [
            (Self.replacing("response_type", with: nil), "invalid_request"),
            (Self.replacing("response_type", with: "token"), "unsupported_response_type"),
            (Self.replacing("response_type", with: "code id_token"), "unsupported_response_type"),
            (Self.replacing("scope", with: "email profile"), "invalid_scope"),
            (Self.replacing("code_challenge", with: nil).filter { $0.0 != "code_challenge_method" }, "invalid_request"),
            (Self.replacing("code_challenge_method", with: "plain"), "invalid_request"),
            (Self.replacing("code_challenge_method", with: nil), "invalid_request"),
            (Self.replacing("code_challenge", with: "short"), "invalid_request"),
            (Self.valid + [("max_age", "-1")], "invalid_request"),
            (Self.valid + [("response_mode", "fragment")], "invalid_request"),
            (Self.valid + [("prompt", "none login")], "invalid_request"),
            (Self.valid + [("request", "eyJhbGciOiJub25lIn0.e30.")], "request_not_supported"),
            (Self.valid + [("request_uri", "https://rp.example.com/req")], "request_uri_not_supported"),
            (Self.valid + [("prompt", "none")], "login_required"),
        ]
        for (items, error) in cases {
            let response = try await client.get("/oauth/authorize?" + Self.query(items))
            #expect(response.status == 302, "\(items)")
            let query = try Self.redirectItems(response)
            #expect(query["error"] == error, "\(items): \(query)")
            #expect(query["state"] == "st ate/é" && query["iss"] == Self.issuer && query["tenant"] == "7" && query["code"] == nil)
        }
    }

    @Test("A client without PKCE: requests may omit it but need a nonce; a challenge is still checked")
    func legacyClient() async throws {
        let server = try await Self.server()
        let client = server.client()
        let base = Self.replacing("client_id", with: "legacy-client-0123456789").filter { !$0.0.hasPrefix("code_challenge") }
        let noNonce = try await client.get("/oauth/authorize?" + Self.query(base))
        #expect(try Self.redirectItems(noNonce)["error"] == "invalid_request")
        let withNonce = try await client.get("/oauth/authorize?" + Self.query(base + [("nonce", "n-0S6_WzA2Mj")]))
        #expect(withNonce.status == 302 && withNonce.header("Location")?.hasPrefix(Self.issuer + "/oauth/login?interaction=") == true)
        let plain = try await client.get("/oauth/authorize?" + Self.query(base + [("nonce", "n"), ("code_challenge", Self.challenge),
                                                                                  ("code_challenge_method", "plain")]))
        #expect(try Self.redirectItems(plain)["error"] == "invalid_request")
    }

    @Test("A valid request: to the login page (302 after GET, 303 after POST), op_browser set, the page bound to that browser")
    func toLoginPage() async throws {
        let server = try await Self.server()
        let client = server.client()
        let items = Self.valid + [("login_hint", #"a"<b>&c@example.com"#), ("nonce", "abc")]
        let response = try await client.get("/oauth/authorize?" + Self.query(items))
        #expect(response.status == 302)
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix(Self.issuer + "/oauth/login?interaction="))
        let cookie = try #require(response.header("Set-Cookie"))
        #expect(cookie.hasPrefix("op_browser=") && cookie.contains("Path=/idp/oauth/") && cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=86400") && !cookie.contains("Secure"))
        let browser = String(cookie.dropFirst("op_browser=".count).prefix { $0 != ";" })
        let path = String(location.dropFirst(Self.issuer.count))

        let page = try await client.send(.get, path, headers: [("Cookie", "op_browser=\(browser)")])
        Self.expectPage(page, status: 200)
        #expect(page.text.contains(#"<form id="login" method="post" action="/idp/oauth/login">"#))
        let interaction = String(path.dropFirst("/oauth/login?interaction=".count))
        #expect(page.text.contains(#"name="interaction" value="\#(interaction)""#))
        #expect(page.text.range(of: #"name="csrf" value="[A-Za-z0-9_-]{43}""#, options: .regularExpression) != nil)
        #expect(page.text.contains(#"value="a&quot;&lt;b&gt;&amp;c@example.com""#), "login_hint pre-filled, escaped")
        #expect(page.text.contains("Rélying &lt;Party&gt; &amp; &quot;Co&quot;") && page.text.contains(#"id="client-name""#))
        #expect(page.text.contains(#"name="password""#) && page.text.contains(#"name="email""#))

        // Another browser (no cookie, or another value) cannot use the interaction.
        Self.expectPage(try await client.get(path))
        Self.expectPage(try await client.send(.get, path, headers: [("Cookie", "op_browser=\(String(repeating: "A", count: 43))")]))
        Self.expectPage(try await client.send(.get, "/oauth/login?interaction=unknown", headers: [("Cookie", "op_browser=\(browser)")]))

        // The same browser again keeps its cookie; a POST answers 303.
        let form = Self.query(items)
        let posted = try await client.send(.post, "/oauth/authorize", body: Data(form.utf8), contentType: "application/x-www-form-urlencoded",
                                           headers: [("Cookie", "op_browser=\(browser)")])
        #expect(posted.status == 303 && posted.header("Set-Cookie") == nil)
        #expect(posted.header("Location")?.hasPrefix(Self.issuer + "/oauth/login?interaction=") == true)
        let json = try await client.send(.post, "/oauth/authorize", body: Data("{}".utf8))
        Self.expectPage(json)

        let css = try await client.get("/oauth/static/style.css")
        #expect(css.status == 200 && css.header("Content-Type") == "text/css; charset=utf-8")
    }

    @Test("AUTH_OIDC_TEMPLATES replaces a page and the stylesheet without a rebuild; every value still escaped")
    func restyled() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("op-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"{{> head}}<body class="acme"><p id="error">ACME says: {{message}}</p></body></html>"#
            .write(to: folder.appendingPathComponent("error.mustache"), atomically: true, encoding: .utf8)
        try "body { color: rebeccapurple; }".write(to: folder.appendingPathComponent("style.css"), atomically: true, encoding: .utf8)
        let server = try await Self.server(["AUTH_OIDC_TEMPLATES": folder.path])
        let client = server.client()
        let page = try await client.get("/oauth/authorize?" + Self.query(Self.replacing("client_id", with: "<unknown>")))
        Self.expectPage(page)
        #expect(page.text.contains(#"<body class="acme"><p id="error">ACME says: Unknown client.</p>"#), "\(page.text)")
        #expect(try await client.get("/oauth/static/style.css").text == "body { color: rebeccapurple; }")
    }

    @Test("The built-in templates escape every value: no triple mustaches, no script, no inline style or handlers")
    func templatesEscape() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/AuthAPI/Pages")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
        #expect(names.count >= 3)
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) renders a value unescaped")
            #expect(!text.contains("<script") && !text.contains("style=") && !text.contains("<style"), "\(name)")
            #expect(text.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "\(name) has an event handler attribute")
        }
    }
}
