import Foundation
import Testing

/// The sibling sub-domain layout (page on app.example.test, API on api.example.test) and the
/// CSRF protections around cookie use: the contract's "Cookie transport" second half.
@Suite("CSRF token, origins and cookie ownership")
struct CSRFTests {
    static let environment = [
        "AUTH_COOKIE_MODE": "on", "AUTH_CSRF_COOKIE_DOMAIN": "example.test",
        "AUTH_CORS_ORIGINS": "https://app.example.test",
    ]

    func login(_ server: TestServer, _ email: String, jar: inout CookieJar) async throws -> HTTPResult {
        let body = Data(#"{"email":"\#(email)","password":"\#(TestServer.password)"}"#.utf8)
        let response = try await server.client().send(.post, Path.login, body: body)
        jar.take(response)
        return response
    }

    @Test("The CSRF cookie carries the configured Domain when set and cleared; the header carries its value")
    func csrfCookieDomain() async throws {
        let server = try await TestServer(environment: Self.environment)
        _ = try await server.verifiedUser("domain@example.com")
        var jar = CookieJar()
        let login = try await login(server, "domain@example.com", jar: &jar)
        #expect(login.status == 200)
        let csrf = try #require(login.domainCookie("csrftoken"))
        #expect(csrf.contains("Domain=example.test") && !csrf.contains("Max-Age=0"))
        // A host-only csrftoken left from before the domain was set is expired alongside.
        #expect(login.setCookies("csrftoken").contains { !$0.contains("Domain=") && $0.contains("Max-Age=0") })
        // The token cookies stay host-only.
        #expect(login.setCookie("access_token")?.contains("Domain=") == false)
        #expect(login.setCookie("refresh_token")?.contains("Domain=") == false)
        let value = try #require(jar.cookies["csrftoken"])
        #expect(login.header("X-CSRFToken") == value)

        let refreshed = try await server.client().send(.post, Path.refresh, body: Data("{}".utf8), headers: [jar.header, ("X-CSRFToken", value)])
        #expect(refreshed.status == 200)
        jar.take(refreshed)
        let newValue = try #require(jar.cookies["csrftoken"])
        #expect(refreshed.header("X-CSRFToken") == newValue && newValue != value)

        let out = try await server.client().send(.post, Path.logout, body: Data("{}".utf8), headers: [jar.header, ("X-CSRFToken", newValue)])
        #expect(out.status == 205)
        let cleared = try #require(out.domainCookie("csrftoken"))
        #expect(cleared.contains("Max-Age=0") && cleared.contains("Domain=example.test"))
        #expect(out.setCookie("access_token")?.contains("Max-Age=0") == true)
        #expect(out.setCookie("refresh_token")?.contains("Max-Age=0") == true)
    }

    @Test("Any of several csrftoken cookies (a host-only one left over, a Domain one) may be the one the page sends")
    func severalCSRFCookies() async throws {
        let server = try await TestServer(environment: Self.environment)
        _ = try await server.verifiedUser("several@example.com")
        var jar = CookieJar()
        _ = try await login(server, "several@example.com", jar: &jar)
        let csrf = try #require(jar.cookies["csrftoken"])
        let cookies = [jar.header.1, "csrftoken=leftover-from-before-aaaaaaaaaaaa"]
        let body = Data(#"{"first_name":"S"}"#.utf8)
        for order in [cookies, cookies.reversed()] {
            let r = try await server.client().send(.patch, Path.me, body: body,
                                                   headers: [("Cookie", order.joined(separator: "; ")), ("X-CSRFToken", csrf)])
            #expect(r.status == 200)
        }
        let wrong = try await server.client().send(.patch, Path.me, body: body,
                                                   headers: [("Cookie", cookies.joined(separator: "; ")), ("X-CSRFToken", "neither")])
        #expect(wrong.status == 403 && wrong.code == "csrf_failed")
    }

    @Test("Ending a session by id or all sessions by Bearer clears the browser's cookies only when they belong to what ended")
    func sessionEndingClearsOnlyOwnCookies() async throws {
        let server = try await TestServer(environment: Self.environment)
        _ = try await server.verifiedUser("ends@example.com")
        _ = try await server.verifiedUser("other@example.com")
        let client = server.client()
        var browser = CookieJar()
        _ = try await login(server, "ends@example.com", jar: &browser)
        func bearer(_ email: String) async throws -> String {
            try #require(try await client.post(Path.login, ["email": email, "password": TestServer.password])["access"])
        }
        func sid(_ token: String) throws -> String { try #require(try TokenForge.claims(of: token)["sid"] as? String) }
        let browserSid = try sid(try #require(browser.cookies["access_token"]))

        // Another session of the same user, ended through its own Bearer while the browser's cookies ride along.
        let other = try await bearer("ends@example.com")
        let byID = try await client.send(.delete, Path.sessions + (try sid(other)) + "/",
                                         headers: [("Authorization", "Bearer \(other)"), browser.header])
        #expect(byID.status == 204 && byID.headers[values: .setCookie].isEmpty)
        // The browser's own session, ended from another session: its cookies go.
        let third = try await bearer("ends@example.com")
        let browserEnded = try await client.send(.delete, Path.sessions + browserSid + "/",
                                                 headers: [("Authorization", "Bearer \(third)"), browser.header])
        #expect(browserEnded.status == 204 && browserEnded.setCookie("access_token")?.contains("Max-Age=0") == true)

        // logout-all by another user's Bearer leaves this browser's cookies alone; by the same user's, clears them.
        _ = try await login(server, "ends@example.com", jar: &browser)
        let stranger = try await bearer("other@example.com")
        let foreignAll = try await client.send(.post, Path.logoutAll, body: Data("{}".utf8),
                                               headers: [("Authorization", "Bearer \(stranger)"), browser.header])
        #expect(foreignAll.status == 205 && foreignAll.headers[values: .setCookie].isEmpty)
        #expect(try await client.send(.get, Path.me, headers: [browser.header]).status == 200)
        let ownBearer = try await bearer("ends@example.com")
        let ownAll = try await client.send(.post, Path.logoutAll, body: Data("{}".utf8),
                                           headers: [("Authorization", "Bearer \(ownBearer)"), browser.header])
        #expect(ownAll.status == 205 && ownAll.setCookie("refresh_token")?.contains("Max-Age=0") == true)
    }

    @Test("GET csrf answers the token in the body and header, sets the cookie, and keeps a well-formed current one")
    func csrfEndpoint() async throws {
        let server = try await TestServer(environment: Self.environment)
        let client = server.client()
        let first = try await client.get(Path.prefix + "/csrf/")
        #expect(first.status == 200 && first.header("Cache-Control") == "no-store")
        let token = try #require(first["csrftoken"])
        #expect(token.count == 32 && first.header("X-CSRFToken") == token)
        let cookie = try #require(first.domainCookie("csrftoken"))
        #expect(cookie.hasPrefix("csrftoken=\(token);") && cookie.contains("Domain=example.test") && !cookie.contains("HttpOnly"))
        let again = try await client.send(.get, Path.prefix + "/csrf", headers: [("Cookie", "csrftoken=\(token)")])
        #expect(again["csrftoken"] == token)
        let replaced = try await client.send(.get, Path.prefix + "/csrf/", headers: [("Cookie", "csrftoken=short")])
        #expect(replaced["csrftoken"] != "short" && replaced["csrftoken"]?.count == 32)
        // A listed origin may read the header.
        let cors = try await client.send(.get, Path.prefix + "/csrf/", headers: [("Origin", "https://app.example.test")])
        #expect(cors.header("Access-Control-Expose-Headers") == "X-CSRFToken")
        #expect(cors.header("Access-Control-Allow-Origin") == "https://app.example.test")
        let foreign = try await client.send(.get, Path.prefix + "/csrf/", headers: [("Origin", "https://evil.example")])
        #expect(foreign.header("Access-Control-Expose-Headers") == nil)
    }

    @Test("Unsafe cookie requests must come from the API's own origin or a listed one (Origin, else Referer)")
    func originCheck() async throws {
        let server = try await TestServer(environment: Self.environment, mode: .live)
        _ = try await server.verifiedUser("origin@example.com")
        var jar = CookieJar()
        _ = try await login(server, "origin@example.com", jar: &jar)
        let csrf = try #require(jar.cookies["csrftoken"])
        let client = server.client()
        let body = Data(#"{"first_name":"O"}"#.utf8)
        func patch(_ extra: [(String, String)]) async throws -> HTTPResult {
            try await client.send(.patch, Path.me, body: body, headers: [jar.header, ("X-CSRFToken", csrf)] + extra)
        }
        for refused in [
            [("Origin", "https://evil.example")], [("Origin", "null")], [("Origin", "http://app.example.test")],
            [("Origin", "https://app.example.test.evil.example")], [("Referer", "https://evil.example/page")],
            [("Referer", "not a url")],
            // The API's own host over http, while the cookies are Secure (they only travel over TLS).
            [("Origin", "http://127.0.0.1:\(server.port)"), ("Host", "127.0.0.1:\(server.port)")],
        ] {
            let r = try await patch(refused)
            #expect(r.status == 403 && r.code == "csrf_failed", "\(refused)")
        }
        for accepted in [
            [("Origin", "https://app.example.test")], [("Referer", "https://app.example.test/settings?x=1")], [],
        ] {
            let r = try await patch(accepted)
            #expect(r.status == 200, "\(accepted)")
        }
        // Its own origin (from Host): each replica is its own host:port.
        for port in server.ports {
            let own = try await HTTPTestClient(host: "127.0.0.1", port: port)
                .send(.patch, Path.me, body: body, headers: [jar.header, ("X-CSRFToken", csrf), ("Host", "127.0.0.1:\(port)"),
                                                              ("Origin", "https://127.0.0.1:\(port)")])
            #expect(own.status == 200)
        }
        // The origin check applies to the refresh cookie as well; the double-submit check still holds with a good origin.
        let badRefresh = try await client.send(.post, Path.refresh, body: Data("{}".utf8),
                                               headers: [jar.header, ("X-CSRFToken", csrf), ("Origin", "https://evil.example")])
        #expect(badRefresh.status == 403 && badRefresh.code == "csrf_failed")
        let noToken = try await client.send(.patch, Path.me, body: body, headers: [jar.header, ("Origin", "https://app.example.test")])
        #expect(noToken.status == 403)
        // Header clients are not affected by Origin at all.
        let bearer = try #require(try await server.client().post(Path.login, ["email": "origin@example.com", "password": TestServer.password])["access"])
        let viaHeader = try await client.send(.patch, Path.me, body: body, headers: [("Authorization", "Bearer \(bearer)"), ("Origin", "https://evil.example")])
        #expect(viaHeader.status == 200)
    }

    @Test("Logout with another session's refresh token in the body leaves the browser's cookies alone")
    func logoutClearsOnlyItsOwnCookies() async throws {
        let server = try await TestServer(environment: Self.environment)
        _ = try await server.verifiedUser("owner@example.com")
        var browser = CookieJar()
        _ = try await login(server, "owner@example.com", jar: &browser)
        let other = try await server.client().post(Path.login, ["email": "owner@example.com", "password": TestServer.password])
        let otherRefresh = try #require(other["refresh"])
        let csrf = try #require(browser.cookies["csrftoken"])

        let out = try await server.client().send(.post, Path.logout, body: Data(#"{"refresh":"\#(otherRefresh)"}"#.utf8),
                                                 headers: [browser.header, ("X-CSRFToken", csrf)])
        #expect(out.status == 205)
        #expect(out.headers[values: .setCookie].isEmpty)
        // The browser's session is still active, the other one ended.
        #expect(try await server.client().send(.get, Path.me, headers: [browser.header]).status == 200)
        #expect(try await server.client().post(Path.refresh, ["refresh": otherRefresh]).status == 401)

        // Its own refresh token in the body (a front end that keeps a copy): its cookies are cleared.
        let ownRefresh = try #require(browser.cookies["refresh_token"])
        let own = try await server.client().send(.post, Path.logout, body: Data(#"{"refresh":"\#(ownRefresh)"}"#.utf8),
                                                 headers: [browser.header, ("X-CSRFToken", csrf)])
        #expect(own.status == 205)
        for name in ["access_token", "refresh_token", "csrftoken"] {
            #expect(own.setCookie(name)?.contains("Max-Age=0") == true, "\(name)")
        }
    }

    @Test("verify-email continues the signup session (Bearer, or cookies with the CSRF token) instead of opening a second")
    func verifyContinuesSignupSession() async throws {
        let server = try await TestServer(environment: Self.environment)
        let client = server.client()

        // Bearer.
        let signup = try await server.signup("bearer@example.com")
        let signupAccess = try #require(signup["access"])
        let signupSid = try #require(try TokenForge.claims(of: signupAccess)["sid"] as? String)
        try await server.plantCode("123456", email: "bearer@example.com")
        let verified = try await client.send(.post, Path.verifyEmail, body: Data(#"{"email":"bearer@example.com","otp":"123456"}"#.utf8),
                                             headers: [("Authorization", "Bearer \(signupAccess)")])
        #expect(verified.status == 200 && verified.json["is_verified"] as? Bool == true)
        let newAccess = try #require(verified["access"])
        #expect(try TokenForge.claims(of: newAccess)["sid"] as? String == signupSid)
        let sessions = try await client.send(.get, Path.sessions, headers: [("Authorization", "Bearer \(newAccess)")])
        let list = try #require(try JSONSerialization.jsonObject(with: sessions.body) as? [[String: Any]])
        #expect(list.count == 1 && list.first?["id"] as? String == signupSid && list.first?["current"] as? Bool == true)
        // The signup refresh token was rotated: it is spent.
        let signupRefresh = try #require(signup["refresh"])
        #expect(try await client.post(Path.refresh, ["refresh": signupRefresh]).status == 401)

        // Cookies with the CSRF token (the browser flow).
        var jar = CookieJar()
        let cookieSignup = try await client.send(.post, Path.signup,
                                                 body: Data(#"{"email":"jar@example.com","password":"\#(TestServer.password)"}"#.utf8))
        jar.take(cookieSignup)
        let signupCookie = try #require(jar.cookies["access_token"])
        let cookieSid = try #require(try TokenForge.claims(of: signupCookie)["sid"] as? String)
        let signupCSRF = try #require(cookieSignup.header("X-CSRFToken"))
        try await server.plantCode("654321", email: "jar@example.com")
        let viaCookie = try await client.send(.post, Path.verifyEmail, body: Data(#"{"email":"jar@example.com","otp":"654321"}"#.utf8),
                                              headers: [jar.header, ("X-CSRFToken", signupCSRF)])
        #expect(viaCookie.status == 200)
        jar.take(viaCookie)
        let verifiedCookie = try #require(jar.cookies["access_token"])
        #expect(try TokenForge.claims(of: verifiedCookie)["sid"] as? String == cookieSid)
        let cookieSessions = try await client.send(.get, Path.sessions, headers: [jar.header])
        #expect((try JSONSerialization.jsonObject(with: cookieSessions.body) as? [Any])?.count == 1)

        // Cookies without the CSRF token are not used: the verification opens its own session.
        var bare = CookieJar()
        bare.take(try await client.send(.post, Path.signup,
                                        body: Data(#"{"email":"bare@example.com","password":"\#(TestServer.password)"}"#.utf8)))
        let bareCookie = try #require(bare.cookies["access_token"])
        try await server.plantCode("333333", email: "bare@example.com")
        let noCSRF = try await client.send(.post, Path.verifyEmail, body: Data(#"{"email":"bare@example.com","otp":"333333"}"#.utf8),
                                           headers: [bare.header])
        #expect(noCSRF.status == 200)
        let noCSRFAccess = try #require(noCSRF["access"])
        #expect(try TokenForge.claims(of: noCSRFAccess)["sid"] as? String != TokenForge.claims(of: bareCookie)["sid"] as? String)
        // Two Authorization headers are refused here as everywhere.
        let twice = try await client.send(.post, Path.verifyEmail, body: Data(#"{"email":"bare@example.com","otp":"333333"}"#.utf8),
                                          headers: [("Authorization", "Bearer \(noCSRFAccess)"), ("Authorization", "Bearer \(noCSRFAccess)")])
        #expect(twice.status == 400 || twice.status == 401)

        // Another user's session is not continued: the verification opens its own.
        let third = try await server.signup("third@example.com")
        try await server.plantCode("111111", email: "third@example.com")
        let foreign = try await client.send(.post, Path.verifyEmail, body: Data(#"{"email":"third@example.com","otp":"111111"}"#.utf8),
                                            headers: [("Authorization", "Bearer \(newAccess)")])
        #expect(foreign.status == 200)
        let foreignAccess = try #require(foreign["access"])
        #expect(try TokenForge.claims(of: foreignAccess)["user_id"] as? Int == third.json["id"] as? Int)
        #expect(try TokenForge.claims(of: foreignAccess)["sid"] as? String != signupSid)
        // ... and an ended session is not continued either.
        let ended = try await server.signup("ended@example.com")
        let endedAccess = try #require(ended["access"])
        let endedRefresh = try #require(ended["refresh"])
        #expect(try await client.post(Path.logout, ["refresh": endedRefresh]).status == 205)
        try await server.plantCode("222222", email: "ended@example.com")
        let fresh = try await client.send(.post, Path.verifyEmail, body: Data(#"{"email":"ended@example.com","otp":"222222"}"#.utf8),
                                          headers: [("Authorization", "Bearer \(endedAccess)")])
        #expect(fresh.status == 200)
        let freshAccess = try #require(fresh["access"])
        #expect(try TokenForge.claims(of: freshAccess)["sid"] as? String != TokenForge.claims(of: endedAccess)["sid"] as? String)
    }
}
