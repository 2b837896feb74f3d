import Foundation
import Shared
import TestSupport
import Testing

/// The provider's sign-in pages end to end, in process: authorize → login (→ second factor)
/// (→ consent) → the client with a code; the CSRF and browser rules; the same refusals as
/// `/login/`; sign-in sessions that are login sessions; codes and grants as stored.
@Suite("OpenID Provider sign-in pages")
struct SignInPagesTests {
    typealias A = AuthorizationTests

    /// A browser: its `op_browser` and `op_session` cookies, kept from answer to answer.
    final class Browser: @unchecked Sendable {
        let client: HTTPTestClient
        var cookies: [String: String] = [:]

        init(_ client: HTTPTestClient) { self.client = client }

        var cookieHeader: [(String, String)] {
            cookies.isEmpty ? [] : [("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))]
        }

        func keep(_ response: HTTPResult) {
            for field in response.headers where field.name.canonicalName == "set-cookie" {
                let pair = field.value.prefix { $0 != ";" }
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { cookies[parts[0]] = parts[1] }
            }
        }

        func get(_ location: String) async throws -> HTTPResult {
            let path = location.hasPrefix(A.issuer) ? String(location.dropFirst(A.issuer.count)) : location
            let response = try await client.send(.get, path, headers: cookieHeader)
            keep(response)
            return response
        }

        func post(_ path: String, _ fields: [(String, String)], cookies send: Bool = true) async throws -> HTTPResult {
            let body = Data(A.query(fields).utf8)
            let response = try await client.send(.post, path, body: body, contentType: "application/x-www-form-urlencoded",
                                                 headers: send ? cookieHeader : [])
            keep(response)
            return response
        }
    }

    /// The value of a hidden input of a page.
    static func hidden(_ name: String, in page: HTTPResult) throws -> String {
        let pattern = #"name="\#(name)" value="([^"]*)""#
        let range = try #require(page.text.range(of: pattern, options: .regularExpression))
        return String(page.text[range].dropFirst("name=\"\(name)\" value=\"".count).dropLast())
    }

    static func authorize(_ browser: Browser, client: String = "pkce-client-0123456789ab", extra: [(String, String)] = []) async throws
        -> (interaction: String, csrf: String, page: HTTPResult) {
        let items = A.replacing("client_id", with: client) + extra
        let started = try await browser.get("/oauth/authorize?" + A.query(items))
        #expect(started.status == 302)
        let page = try await browser.get(try #require(started.header("Location")))
        #expect(page.status == 200, "\(page.text)")
        return (try hidden("interaction", in: page), try hidden("csrf", in: page), page)
    }

    static func server() async throws -> TestServer {
        let server = try await A.server()
        try await server.withDatabase { db in
            try await db.insertClient(OAuthClient(
                clientId: "first-party-0123456789ab", name: "Our own app", redirectURIs: [A.redirect], isPublic: true, firstParty: true,
                createdAt: Date()))
        }
        return server
    }

    @Test("First-party client: the password, then straight back with a code; the sign-in session is a login session")
    func firstParty() async throws {
        let server = try await Self.server()
        let tokens = try await server.verifiedUser("pages@example.com")
        let access = try #require(tokens["access"])
        let before = try await server.client().get(Path.sessions, bearer: access).jsonArray?.count ?? 0
        let browser = Browser(server.client())
        let (interaction, csrf, _) = try await Self.authorize(browser, client: "first-party-0123456789ab")
        let done = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf),
                                                           ("email", "Pages@Example.com"), ("password", TestServer.password)])
        #expect(done.status == 303, "\(done.text)")
        let query = try A.redirectItems(done)
        let code = try #require(query["code"])
        #expect(code.count == 43 && query["state"] == "st ate/é" && query["iss"] == A.issuer && query["error"] == nil)
        let cookie = try #require(done.headers[values: .setCookie].first { $0.hasPrefix("op_session=") })
        #expect(cookie.contains("Path=/idp/oauth/") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))

        // The sign-in session is one of the user's sessions; the code is stored by its hash only.
        let sessions = try await server.client().get(Path.sessions, bearer: access)
        #expect((sessions.jsonArray ?? []).count == before + 1, "\(sessions.text)")
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM oauth_codes") == 1)
        #expect(try await server.sql("SELECT redirect_uri FROM oauth_codes") == [A.redirect])
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM login_sessions WHERE provider_cookie_hash IS NOT NULL") == 1)
        #expect(try await server.sql("SELECT scopes FROM oauth_grants") == ["openid email"], "first-party: the grant recorded all the same")
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM oauth_interactions") == 0, "the interaction is over")
        let events = try await server.sql("SELECT event || ':' || detail FROM auth_events WHERE event IN ('login_succeeded', 'oauth_authorized') ORDER BY id")
        #expect(events.last == "oauth_authorized:first-party-0123456789ab openid email")
        #expect(events.contains("login_succeeded:provider"))

        // The interaction cannot be used again.
        let again = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf),
                                                            ("email", "pages@example.com"), ("password", TestServer.password)])
        A.expectPage(again)
    }

    @Test("Refusals: the same 401 page for a wrong password, an unknown address and an inactive account; 403 unverified; CSRF and browser")
    func refusals() async throws {
        let server = try await Self.server()
        _ = try await server.verifiedUser("known@example.com")
        _ = try await server.signup("unverified@example.com")
        let browser = Browser(server.client())
        let (interaction, csrf, _) = try await Self.authorize(browser)
        var pages: [String] = []
        for (email, password) in [("known@example.com", "wrong password 123"), ("nobody@example.com", TestServer.password)] {
            let page = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf), ("email", email), ("password", password)])
            A.expectPage(page, status: 401)
            #expect(page.text.contains(#"id="error""#) && page.text.contains(#"<form id="login""#))
            pages.append(page.text.replacingOccurrences(of: email, with: "EMAIL")
                .replacingOccurrences(of: #"name="csrf" value="[^"]*""#, with: "", options: .regularExpression))
        }
        #expect(pages[0] == pages[1], "the same page but for the typed address and the csrf")
        let unverified = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf),
                                                                 ("email", "unverified@example.com"), ("password", TestServer.password)])
        A.expectPage(unverified, status: 403)
        #expect(unverified.text.contains(#"id="error""#) && unverified.text.contains("Verify"))

        // Without the right CSRF token, or without the browser's cookie: 403, nothing happens.
        let noCSRF = try await browser.post("/oauth/login", [("interaction", interaction), ("email", "known@example.com"),
                                                             ("password", TestServer.password)])
        A.expectPage(noCSRF, status: 403)
        let otherCSRF = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", String(repeating: "A", count: 43)),
                                                                ("email", "known@example.com"), ("password", TestServer.password)])
        A.expectPage(otherCSRF, status: 403)
        let noCookie = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf), ("email", "known@example.com"),
                                                               ("password", TestServer.password)], cookies: false)
        A.expectPage(noCookie, status: 403)
        let failures = try await server.sql("SELECT detail FROM auth_events WHERE event = 'login_failed' ORDER BY id")
        #expect(failures == ["wrong_password", "unknown_address"], "refused CSRF posts never reached the password step")
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM oauth_codes") == 0)

        // The right password still works on the same interaction.
        let done = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf), ("email", "known@example.com"),
                                                           ("password", TestServer.password)])
        #expect(done.status == 303 && done.header("Location")?.hasPrefix(Self.consentPrefix) == true, "\(done.header("Location") ?? "")")
    }

    static let consentPrefix = A.issuer + "/oauth/consent?interaction="

    @Test("Consent: asked for a client that is not first-party, remembered per user, client and scopes; deny is access_denied")
    func consent() async throws {
        let server = try await Self.server()
        _ = try await server.verifiedUser("consent@example.com")
        let browser = Browser(server.client())
        func signIn(_ extra: [(String, String)] = []) async throws -> HTTPResult {
            let (interaction, csrf, _) = try await Self.authorize(browser, extra: extra)
            return try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf), ("email", "consent@example.com"),
                                                           ("password", TestServer.password)])
        }
        let toConsent = try await signIn()
        let page = try await browser.get(try #require(toConsent.header("Location")))
        A.expectPage(page, status: 200)
        #expect(page.text.contains(#"<form id="consent" method="post" action="/idp/oauth/consent">"#))
        #expect(page.text.contains(#"data-scope="openid""#) && page.text.contains(#"data-scope="email""#))
        #expect(page.text.contains(#"name="decision" value="allow""#) && page.text.contains(#"name="decision" value="deny""#))
        #expect(page.text.contains("Rélying &lt;Party&gt;"))
        let interaction = try Self.hidden("interaction", in: page)
        let csrf = try Self.hidden("csrf", in: page)
        let denied = try await browser.post("/oauth/consent", [("interaction", interaction), ("csrf", csrf), ("decision", "deny")])
        #expect(try A.redirectItems(denied)["error"] == "access_denied")
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM oauth_grants") == 0)

        let again = try await browser.get(try #require(try await signIn().header("Location")))
        let allowed = try await browser.post("/oauth/consent", [("interaction", try Self.hidden("interaction", in: again)),
                                                                ("csrf", try Self.hidden("csrf", in: again)), ("decision", "allow")])
        #expect(try A.redirectItems(allowed)["code"] != nil)
        #expect(try await server.sql("SELECT scopes FROM oauth_grants") == ["openid email"])
        // The same scopes again: no page; a new scope or prompt=consent: the page again.
        #expect(try A.redirectItems(try await signIn())["code"] != nil)
        #expect(try await signIn([("prompt", "consent")]).header("Location")?.hasPrefix(Self.consentPrefix) == true)
        let wider = A.valid.map { $0.0 == "scope" ? ("scope", "openid email profile") : $0 }
        let widerStart = try await browser.get("/oauth/authorize?" + A.query(wider))
        let widerPage = try await browser.get(try #require(widerStart.header("Location")))
        let widerDone = try await browser.post("/oauth/login", [("interaction", try Self.hidden("interaction", in: widerPage)),
                                                                ("csrf", try Self.hidden("csrf", in: widerPage)),
                                                                ("email", "consent@example.com"), ("password", TestServer.password)])
        #expect(widerDone.header("Location")?.hasPrefix(Self.consentPrefix) == true)
    }

    @Test("Second factor: a TOTP code (pyotp) after the password; a wrong code shows the form again; five end the interaction")
    func secondFactor() async throws {
        let server = try await Self.server()
        let (_, url, _, confirmedAt) = try await MFATests.enroll(server, "two-step@example.com")
        let browser = Browser(server.client())
        func password() async throws -> (String, String) {
            let (interaction, csrf, _) = try await Self.authorize(browser, client: "first-party-0123456789ab")
            let step = try await browser.post("/oauth/login", [("interaction", interaction), ("csrf", csrf),
                                                               ("email", "two-step@example.com"), ("password", TestServer.password)])
            #expect(step.status == 303 && step.header("Set-Cookie") == nil, "no sign-in session before the second factor")
            let page = try await browser.get(try #require(step.header("Location")))
            A.expectPage(page, status: 200)
            #expect(page.text.contains(#"<form id="mfa" method="post" action="/idp/oauth/mfa">"#) && page.text.contains(#"name="code""#))
            return (try Self.hidden("interaction", in: page), try Self.hidden("csrf", in: page))
        }
        let (interaction, csrf) = try await password()
        let wrong = try await browser.post("/oauth/mfa", [("interaction", interaction), ("csrf", csrf), ("code", "000000")])
        A.expectPage(wrong, status: 400)
        #expect(wrong.text.contains(#"id="error""#) && wrong.text.contains(#"<form id="mfa""#))
        let code = try await MFATests.pyotp(url, at: confirmedAt + 30)
        let done = try await browser.post("/oauth/mfa", [("interaction", interaction), ("csrf", csrf), ("code", code)])
        #expect(done.status == 303, "\(done.text)")
        #expect(try A.redirectItems(done)["code"] != nil)
        #expect(done.headers[values: .setCookie].contains { $0.hasPrefix("op_session=") })
        #expect(try await server.sql("SELECT aal || ' ' || amr FROM login_sessions WHERE provider_cookie_hash IS NOT NULL") == ["2 pwd otp"])

        let (ended, endedCSRF) = try await password()
        for attempt in 1...5 {
            let page = try await browser.post("/oauth/mfa", [("interaction", ended), ("csrf", endedCSRF), ("code", "12345\(attempt)")])
            A.expectPage(page)
            #expect(page.text.contains(attempt < 5 ? #"<form id="mfa""# : "Too many wrong codes"), "attempt \(attempt)")
        }
        A.expectPage(try await browser.get("/oauth/mfa?interaction=\(ended)"))
    }
}
