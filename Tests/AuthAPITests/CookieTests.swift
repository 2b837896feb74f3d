import Foundation
import Testing

/// A minimal cookie jar: what a browser would send back.
struct CookieJar {
    var cookies: [String: String] = [:]

    mutating func take(_ response: HTTPResult) {
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
            let cookieValue = pair.count > 1 ? String(pair[1]) : ""
            if value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = cookieValue }
        }
    }

    var header: (String, String) { ("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
}

extension HTTPResult {
    func setCookie(_ name: String) -> String? {
        setCookies(name).first
    }

    /// Every `Set-Cookie` of `name`, in order.
    func setCookies(_ name: String) -> [String] {
        headers[values: .setCookie].filter { $0.hasPrefix(name + "=") }
    }

    /// The `Set-Cookie` of `name` that carries a `Domain`.
    func domainCookie(_ name: String) -> String? {
        setCookies(name).first { $0.contains("Domain=") }
    }
}

@Suite("Cookie transport and CORS")
struct CookieTests {
    @Test("Cookie mode with a jar: login sets cookies, me works without a header, CSRF enforced, refresh rotates, logout clears")
    func cookieFlow() async throws {
        let server = try await TestServer(environment: ["AUTH_COOKIE_MODE": "on", "AUTH_ACCESS_TTL": "120"])
        let client = server.client()
        _ = try await server.verifiedUser("jar@example.com")
        var jar = CookieJar()
        let body = Data(#"{"email":"jar@example.com","password":"\#(TestServer.password)"}"#.utf8)
        let login = try await client.send(.post, Path.login, body: body)
        #expect(login.status == 200)
        #expect(login["access"] != nil)  // header clients unaffected
        let access = try #require(login.setCookie("access_token"))
        #expect(access.contains("Path=/;") || access.hasSuffix("Path=/"))
        #expect(access.contains("HttpOnly") && access.contains("SameSite=Lax") && access.contains("Secure") && access.contains("Max-Age=120"))
        let refresh = try #require(login.setCookie("refresh_token"))
        #expect(refresh.contains("Path=/api/accounts/") && refresh.contains("HttpOnly") && refresh.contains("Max-Age=86400"))
        let csrf = try #require(login.setCookie("csrftoken"))
        #expect(!csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax") && csrf.contains("Max-Age=86400"))
        jar.take(login)
        let csrfValue = try #require(jar.cookies["csrftoken"])

        let me = try await client.send(.get, Path.me, headers: [jar.header])
        #expect(me.status == 200 && me["email"] == "jar@example.com")
        let noCSRF = try await client.send(.patch, Path.me, body: Data(#"{"first_name":"J"}"#.utf8), headers: [jar.header])
        #expect(noCSRF.status == 403 && noCSRF.code == "csrf_failed")
        let badCSRF = try await client.send(.patch, Path.me, body: Data(#"{"first_name":"J"}"#.utf8), headers: [jar.header, ("X-CSRFToken", "forged")])
        #expect(badCSRF.status == 403)
        let patched = try await client.send(.patch, Path.me, body: Data(#"{"first_name":"J"}"#.utf8), headers: [jar.header, ("X-CSRFToken", csrfValue)])
        #expect(patched.status == 200 && patched["first_name"] == "J")

        let refreshNoCSRF = try await client.send(.post, Path.refresh, body: Data("{}".utf8), headers: [jar.header])
        #expect(refreshNoCSRF.status == 403)
        let oldRefresh = jar.cookies["refresh_token"]
        let rotated = try await client.send(.post, Path.refresh, body: Data("{}".utf8), headers: [jar.header, ("X-CSRFToken", csrfValue)])
        #expect(rotated.status == 200)
        jar.take(rotated)
        #expect(jar.cookies["refresh_token"] != oldRefresh)
        let newCSRF = try #require(jar.cookies["csrftoken"])

        let out = try await client.send(.post, Path.logout, body: Data("{}".utf8), headers: [jar.header, ("X-CSRFToken", newCSRF)])
        #expect(out.status == 205)
        for name in ["access_token", "refresh_token", "csrftoken"] {
            #expect(out.setCookie(name)?.contains("Max-Age=0") == true, "\(name)")
        }
        let staleJar = jar
        jar.take(out)
        #expect(jar.cookies.isEmpty)
        #expect(try await client.send(.get, Path.me, headers: [staleJar.header]).status == 401)
        #expect(try await client.send(.post, Path.logout, body: Data("{}".utf8), headers: [jar.header]).status == 400)
    }

    @Test("Cookie-only mode keeps tokens out of JSON; header mode sets no cookies; Secure can be turned off")
    func cookieOnly() async throws {
        let server = try await TestServer(environment: ["AUTH_COOKIE_ONLY": "on", "AUTH_COOKIE_SECURE": "off"])
        let client = server.client()
        let signup = try await server.signup("only@example.com")
        #expect(signup.status == 201 && signup["access"] == nil && signup["refresh"] == nil && signup["email"] == "only@example.com")
        #expect(signup.setCookie("access_token")?.contains("Secure") == false)
        var jar = CookieJar()
        jar.take(signup)
        let csrf = try #require(jar.cookies["csrftoken"])
        let refreshed = try await client.send(.post, Path.refresh, body: Data("{}".utf8), headers: [jar.header, ("X-CSRFToken", csrf)])
        #expect(refreshed.status == 200 && refreshed.text == "{}")

        let plain = try await TestServer()
        let plainSignup = try await plain.signup("plain@example.com")
        #expect(plainSignup.headers[values: .setCookie].isEmpty)
        // Without cookie mode a cookie authenticates nothing.
        #expect(try await plain.client().send(.get, Path.me, headers: [("Cookie", "access_token=\(plainSignup["access"] ?? "")")]).status == 401)
    }

    @Test("CORS: listed origins get credentials headers and preflights; others get none")
    func cors() async throws {
        let server = try await TestServer(environment: ["AUTH_CORS_ORIGINS": "https://app.example.com, http://localhost:3000"])
        let client = server.client()
        let preflight = try await client.send(.options, Path.login, headers: [
            ("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type, x-csrftoken"),
        ])
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Allow-Origin") == "https://app.example.com")
        #expect(preflight.header("Access-Control-Allow-Credentials") == "true")
        #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
        let allowHeaders = preflight.header("Access-Control-Allow-Headers") ?? ""
        for h in ["Authorization", "Content-Type", "X-CSRFToken"] { #expect(allowHeaders.contains(h)) }
        #expect(preflight.header("Access-Control-Max-Age") != nil)
        #expect(preflight.header("Vary") == "Origin")

        let actual = try await client.send(.post, Path.login, body: Data("{}".utf8), headers: [("Origin", "http://localhost:3000")])
        #expect(actual.status == 400 && actual.header("Access-Control-Allow-Origin") == "http://localhost:3000")

        let foreign = try await client.send(.options, Path.login, headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")])
        #expect(foreign.header("Access-Control-Allow-Origin") == nil && foreign.header("Access-Control-Allow-Credentials") == nil)
        #expect(foreign.status == 204 && foreign.header("Allow") != nil)
        let foreignPost = try await client.send(.post, Path.login, body: Data("{}".utf8), headers: [("Origin", "https://evil.example")])
        #expect(foreignPost.header("Access-Control-Allow-Origin") == nil)
    }
}
