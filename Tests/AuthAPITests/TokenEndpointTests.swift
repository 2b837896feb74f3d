import Foundation
import Shared
import TestSupport
import Testing

/// `/oauth/token` and `/oauth/userinfo`: the OpenID conformance suite's negative cases for the
/// token endpoint (a wrong client secret, a reused code, a missing or wrong verifier, a verifier
/// for a code issued without a challenge), and userinfo's refusals.
@Suite("OpenID Provider token endpoint and userinfo")
struct TokenEndpointTests {
    typealias A = AuthorizationTests
    typealias P = SignInPagesTests

    static let pkceClient = "pkce-client-0123456789ab"
    static let legacyClient = "legacy-client-0123456789"

    /// Signs `email` in through the pages of a fresh interaction and returns the code.
    static func code(_ browser: P.Browser, email: String, client: String = pkceClient, extra: [(String, String)] = []) async throws -> String {
        var items = A.replacing("client_id", with: client) + extra
        if client == legacyClient { items = items.filter { !$0.0.hasPrefix("code_challenge") } + [("nonce", "n-legacy")] }
        let started = try await browser.get("/oauth/authorize?" + A.query(items))
        let page = try await browser.get(try #require(started.header("Location")))
        var step = try await browser.post("/oauth/login", [("interaction", try P.hidden("interaction", in: page)),
                                                           ("csrf", try P.hidden("csrf", in: page)), ("email", email),
                                                           ("password", TestServer.password)])
        if step.header("Location")?.hasPrefix(P.consentPrefix) == true {
            let consent = try await browser.get(try #require(step.header("Location")))
            step = try await browser.post("/oauth/consent", [("interaction", try P.hidden("interaction", in: consent)),
                                                             ("csrf", try P.hidden("csrf", in: consent)), ("decision", "allow")])
        }
        return try #require(try A.redirectItems(step)["code"])
    }

    static func basic(_ id: String, _ secret: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(FormEncoding.encode(id)):\(FormEncoding.encode(secret))".utf8).base64EncodedString())
    }

    static func token(_ client: HTTPTestClient, _ fields: [(String, String)], auth: (String, String)? = basic(pkceClient, A.clientSecret))
        async throws -> HTTPResult {
        try await client.send(.post, "/oauth/token", body: Data(A.query(fields).utf8), contentType: "application/x-www-form-urlencoded",
                              headers: auth.map { [$0] } ?? [])
    }

    static func exchange(_ code: String, verifier: String? = A.verifier) -> [(String, String)] {
        [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", A.redirect)] + (verifier.map { [("code_verifier", $0)] } ?? [])
    }

    static func expectError(_ response: HTTPResult, _ error: String, status: Int = 400, _ comment: Comment? = nil) {
        #expect(response.status == status, comment)
        #expect(response.json["error"] as? String == error && response.json["error_description"] is String, comment)
        #expect(response.header("Cache-Control") == "no-store")
    }

    @Test("The exchange: tokens once; a reused code is invalid_grant and ends what the first exchange opened")
    func exchangeAndReuse() async throws {
        let server = try await P.server()
        _ = try await server.verifiedUser("tokens@example.com")
        let browser = P.Browser(server.client())
        let code = try await Self.code(browser, email: "tokens@example.com")
        let issued = try await Self.token(server.client(), Self.exchange(code))
        #expect(issued.status == 200, "\(issued.text)")
        #expect(issued.header("Cache-Control") == "no-store" && issued.json["token_type"] as? String == "Bearer")
        #expect(issued.json["expires_in"] as? Int == 300 && issued.json["scope"] as? String == "openid email")
        #expect(issued.json["refresh_token"] == nil)
        let access = try #require(issued["access_token"])
        let header = try SigningKeyTests.header(access)
        #expect(header["typ"] as? String == "at+jwt" && header["alg"] as? String == "RS256")
        let idHeader = try SigningKeyTests.header(try #require(issued["id_token"]))
        #expect(idHeader["typ"] as? String == "JWT" && idHeader["kid"] as? String == header["kid"] as? String)

        let userinfo = try await server.client().get("/oauth/userinfo", bearer: access)
        #expect(userinfo.status == 200 && userinfo["email"] == "tokens@example.com" && userinfo["sub"] != nil)
        #expect(try await server.client().get(Path.me, bearer: access).status == 401, "the account API refuses provider tokens")

        let again = try await Self.token(server.client(), Self.exchange(code))
        Self.expectError(again, "invalid_grant")
        let after = try await server.client().get("/oauth/userinfo", bearer: access)
        #expect(after.status == 401 && after.json["error"] as? String == "invalid_token")
        #expect(after.header("WWW-Authenticate")?.contains(#"error="invalid_token""#) == true)
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM auth_events WHERE event = 'oauth_code_reuse'") == 1)
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM auth_events WHERE event = 'oauth_token_issued'") == 1)
    }

    @Test("Client authentication: a wrong or missing secret, an unknown client, two methods at once")
    func clientAuthentication() async throws {
        let server = try await P.server()
        let client = server.client()
        let fields = Self.exchange("no-such-code")
        for auth in [Self.basic(Self.pkceClient, "wrong-secret"), Self.basic("unknown-client", A.clientSecret)] {
            let refused = try await Self.token(client, fields, auth: auth)
            Self.expectError(refused, "invalid_client", status: 401)
            #expect(refused.header("WWW-Authenticate") == #"Basic realm="oauth""#)
        }
        Self.expectError(try await Self.token(client, fields + [("client_id", Self.pkceClient)], auth: nil), "invalid_client", status: 401)
        Self.expectError(try await Self.token(client, fields + [("client_id", Self.pkceClient), ("client_secret", A.clientSecret)],
                                              auth: Self.basic(Self.pkceClient, A.clientSecret)), "invalid_request")
        // client_secret_post works as well as Basic: the code is then what is wrong.
        Self.expectError(try await Self.token(client, fields + [("client_id", Self.pkceClient), ("client_secret", A.clientSecret)], auth: nil),
                         "invalid_grant")
        Self.expectError(try await Self.token(client, [("code", "x")]), "invalid_request")
        Self.expectError(try await Self.token(client, [("grant_type", "password"), ("username", "a"), ("password", "b")]),
                         "unsupported_grant_type")
        let json = try await client.send(.post, "/oauth/token", body: Data(#"{"grant_type":"authorization_code"}"#.utf8),
                                         headers: [Self.basic(Self.pkceClient, A.clientSecret)])
        Self.expectError(json, "invalid_request")
    }

    @Test("PKCE at the token endpoint: a wrong or missing verifier, and no verifier for a code issued without a challenge")
    func pkce() async throws {
        let server = try await P.server()
        _ = try await server.verifiedUser("pkce@example.com")
        let browser = P.Browser(server.client())
        let wrong = try await Self.code(browser, email: "pkce@example.com")
        Self.expectError(try await Self.token(server.client(), Self.exchange(wrong, verifier: String(repeating: "a", count: 43))),
                         "invalid_grant")
        let missing = try await Self.code(browser, email: "pkce@example.com")
        Self.expectError(try await Self.token(server.client(), Self.exchange(missing, verifier: nil)), "invalid_grant")
        let legacy = try await Self.code(browser, email: "pkce@example.com", client: Self.legacyClient)
        let downgrade = try await Self.token(server.client(), Self.exchange(legacy), auth: Self.basic(Self.legacyClient, A.clientSecret))
        Self.expectError(downgrade, "invalid_grant", "a verifier for a code issued without a challenge")
        let legacyOK = try await Self.code(browser, email: "pkce@example.com", client: Self.legacyClient)
        let issued = try await Self.token(server.client(), Self.exchange(legacyOK, verifier: nil), auth: Self.basic(Self.legacyClient, A.clientSecret))
        #expect(issued.status == 200, "\(issued.text)")
        // Another client's code, another redirect URI.
        let other = try await Self.code(browser, email: "pkce@example.com")
        Self.expectError(try await Self.token(server.client(), Self.exchange(other, verifier: nil),
                                              auth: Self.basic(Self.legacyClient, A.clientSecret)), "invalid_grant")
        let elsewhere = try await Self.code(browser, email: "pkce@example.com")
        var fields = Self.exchange(elsewhere)
        fields[2] = ("redirect_uri", "http://127.0.0.1:8080/cb")
        Self.expectError(try await Self.token(server.client(), fields), "invalid_grant")
    }

    @Test("userinfo: no token is 401 with a Bearer challenge; account tokens and ended sign-in sessions are invalid_token")
    func userinfo() async throws {
        let server = try await P.server()
        let account = try await server.verifiedUser("userinfo@example.com")
        let client = server.client()
        let none = try await client.get("/oauth/userinfo")
        #expect(none.status == 401 && none.header("WWW-Authenticate") == #"Bearer realm="oauth""#)
        let accountToken = try #require(account["access"])
        #expect(try await client.get("/oauth/userinfo", bearer: accountToken).json["error"] as? String == "invalid_token")

        let browser = P.Browser(client)
        let issued = try await Self.token(client, Self.exchange(try await Self.code(browser, email: "userinfo@example.com")))
        let access = try #require(issued["access_token"])
        let idToken = try #require(issued["id_token"])
        #expect(try await client.get("/oauth/userinfo", bearer: idToken).json["error"] as? String == "invalid_token", "an ID token is not an access token")
        let posted = try await client.send(.post, "/oauth/userinfo", body: Data("access_token=\(access)".utf8),
                                           contentType: "application/x-www-form-urlencoded")
        #expect(posted.status == 200 && posted["email"] == "userinfo@example.com")
        // logout-all ends the sign-in session, and with it the token session (no offline_access).
        #expect(try await client.post(Path.logoutAll, [:], bearer: accountToken).status == 205)
        #expect(try await client.get("/oauth/userinfo", bearer: access).json["error"] as? String == "invalid_token")
    }

    @Test("offline_access: a refresh token that rotates, narrows scopes, ends on reuse, outlives its sign-in session but not logout-all")
    func refresh() async throws {
        let server = try await P.server()
        let account = try await server.verifiedUser("offline@example.com")
        let client = server.client()
        let browser = P.Browser(client)
        let scope = [("scope", "openid email offline_access")]
        func offline() async throws -> HTTPResult {
            let items = A.valid.filter { $0.0 != "scope" } + scope + [("nonce", "nonce-1")]
            let started = try await browser.get("/oauth/authorize?" + A.query(items))
            let page = try await browser.get(try #require(started.header("Location")))
            var step = try await browser.post("/oauth/login", [("interaction", try P.hidden("interaction", in: page)),
                                                               ("csrf", try P.hidden("csrf", in: page)), ("email", "offline@example.com"),
                                                               ("password", TestServer.password)])
            if step.header("Location")?.hasPrefix(P.consentPrefix) == true {
                let consent = try await browser.get(try #require(step.header("Location")))
                #expect(consent.text.contains(#"data-scope="offline_access""#))
                step = try await browser.post("/oauth/consent", [("interaction", try P.hidden("interaction", in: consent)),
                                                                 ("csrf", try P.hidden("csrf", in: consent)), ("decision", "allow")])
            }
            let issued = try await Self.token(client, Self.exchange(try #require(try A.redirectItems(step)["code"])))
            #expect(issued.status == 200, "\(issued.text)")
            return issued
        }
        let first = try await offline()
        let refresh = try #require(first["refresh_token"])
        let firstClaims = try MFATests.claims(first["id_token"])
        #expect(firstClaims["nonce"] as? String == "nonce-1")

        let rotated = try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", refresh)])
        #expect(rotated.status == 200, "\(rotated.text)")
        let next = try #require(rotated["refresh_token"])
        #expect(next != refresh && rotated["scope"] == "openid email offline_access")
        let claims = try MFATests.claims(rotated["id_token"])
        for name in ["sub", "sid", "auth_time", "acr"] {
            #expect("\(claims[name] ?? "-")" == "\(firstClaims[name] ?? "+")", "\(name)")
        }
        #expect(claims["nonce"] == nil && claims["amr"] as? [String] == ["pwd"])

        let narrower = try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", next), ("scope", "openid")])
        #expect(narrower.status == 200 && narrower["scope"] == "openid")
        let current = try #require(narrower["refresh_token"])
        Self.expectError(try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", current),
                                                       ("scope", "openid profile")]), "invalid_scope")
        Self.expectError(try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", current)],
                                              auth: Self.basic(Self.legacyClient, A.clientSecret)), "invalid_grant", "another client's")
        Self.expectError(try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", account["refresh"] ?? "")]),
                         "invalid_grant", "an account refresh token")

        // The sign-in session ends (the user ends it in /sessions/): an offline session lives on.
        let accountAccess = try #require(account["access"])
        let sessions = try await client.get(Path.sessions, bearer: accountAccess).jsonArray ?? []
        let signIn = try #require(sessions.first { ($0["current"] as? Bool) == false }?["id"] as? String)
        #expect(try await client.delete(Path.sessions + signIn + "/", bearer: accountAccess).status == 204)
        let afterSignOut = try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", current)])
        #expect(afterSignOut.status == 200, "\(afterSignOut.text)")
        let latest = try #require(afterSignOut["refresh_token"])
        #expect(try await client.get("/oauth/userinfo", bearer: try #require(afterSignOut["access_token"])).status == 200)

        // A rotated-out token again: invalid_grant, and the session ends.
        Self.expectError(try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", next)]), "invalid_grant")
        Self.expectError(try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", latest)]), "invalid_grant")

        // logout-all ends offline sessions too.
        let second = try await offline()
        #expect(try await client.post(Path.logoutAll, [:], bearer: accountAccess).status == 205)
        Self.expectError(try await Self.token(client, [("grant_type", "refresh_token"), ("refresh_token", try #require(second["refresh_token"]))]),
                         "invalid_grant")
    }
}
