import Foundation
import Shared
import Testing

@Suite("Tokens, me and logout")
struct TokenTests {
    @Test("GET and PATCH me with the access token; 401 without, with a refresh token, with garbage")
    func me() async throws {
        let server = try await TestServer()
        let client = server.client()
        let auth = try await server.verifiedUser("me@example.com")
        let access = try #require(auth["access"])
        let refresh = try #require(auth["refresh"])

        let me = try await client.get(Path.me, bearer: access)
        #expect(me.status == 200)
        #expect(me["email"] == "me@example.com")
        #expect(me.header("Cache-Control") == "no-store")
        #expect(me.json["access"] == nil)

        let patched = try await client.patch(Path.me, ["first_name": " Grace ", "last_name": "Hopper", "email": "x@example.com", "is_staff": true], bearer: access)
        #expect(patched.status == 200)
        #expect(patched["first_name"] == "Grace" && patched["last_name"] == "Hopper")
        #expect(patched["email"] == "me@example.com")
        #expect(patched.json["is_staff"] as? Bool == false)
        let badPatch = try await client.patch(Path.me, ["first_name": 5, "last_name": String(repeating: "y", count: 151)], bearer: access)
        #expect(badPatch.status == 400)
        #expect(badPatch.fieldErrors("first_name") == ["Not a valid string."])
        #expect(badPatch.fieldErrors("last_name") == ["Ensure this field has no more than 150 characters."])
        let nulPatch = try await client.patch(Path.me, ["last_name": "Hop\u{0}per"], bearer: access)
        #expect(nulPatch.status == 400 && nulPatch.fieldErrors("last_name") == ["Null characters are not allowed."])

        let none = try await client.get(Path.me)
        #expect(none.status == 401 && none.code == "not_authenticated")
        #expect(none.header("WWW-Authenticate") == #"Bearer realm="api""#)
        #expect(none["detail"] == "Authentication credentials were not provided.")
        let withRefresh = try await client.get(Path.me, bearer: refresh)
        #expect(withRefresh.status == 401 && withRefresh.code == "token_not_valid")
        #expect(withRefresh["detail"] == "Given token not valid for any token type")
        for garbage in ["abc", "a.b.c", access + "x", String(access.dropLast(2)), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.e30."] {
            let r = try await client.get(Path.me, bearer: garbage)
            #expect(r.status == 401 && r.code == "token_not_valid", "\(garbage)")
        }
        let two = try await client.send(.get, Path.me, headers: [("Authorization", "Bearer " + access), ("Authorization", "Bearer " + access)])
        #expect(two.status == 400 || two.status == 401)
        #expect(two.status != 200)
    }

    @Test("The Authorization header: scheme in any case, spaces between, anything else refused")
    func authorizationHeader() async throws {
        let server = try await TestServer()
        let client = server.client()
        let access = try #require(try await server.verifiedUser("header@example.com")["access"])
        func me(_ value: String) async throws -> HTTPResult {
            try await client.send(.get, Path.me, headers: [("Authorization", value)])
        }
        for accepted in ["Bearer \(access)", "bearer \(access)", "BEARER \(access)", "Bearer   \(access)", " Bearer \(access) "] {
            #expect(try await me(accepted).status == 200, "\(accepted)")
        }
        for (value, code) in [("Token \(access)", "not_authenticated"), ("Bearér \(access)", "not_authenticated"),
                              ("Bearer", "bad_authorization_header"), ("Bearer \(access) extra", "bad_authorization_header"),
                              ("Bearer\t\(access)", "not_authenticated"), ("", "not_authenticated")] {
            let r = try await me(value)
            #expect(r.status == 401 && r.code == code, "\(value)")
        }
    }

    @Test("alg none and a forged signature are refused; another key's token too")
    func forgedTokens() async throws {
        let server = try await TestServer()
        let auth = try await server.verifiedUser("forge@example.com")
        let access = try #require(auth["access"])
        let parts = access.split(separator: ".")
        let noneHeader = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let client = server.client()
        #expect(try await client.get(Path.me, bearer: "\(noneHeader).\(parts[1]).").status == 401)
        #expect(try await client.get(Path.me, bearer: "\(noneHeader).\(parts[1]).\(parts[2])").status == 401)
        let hs512 = Base64URL.encode(Array(#"{"alg":"HS512","typ":"JWT"}"#.utf8))
        #expect(try await client.get(Path.me, bearer: "\(hs512).\(parts[1]).\(parts[2])").status == 401)
        let other = await TokenService(secretKey: "another-secret-key-of-sufficient-length-0000", accessTTL: 300, refreshTTL: 600,
                                       clock: SystemClock(), random: SecureRandom())
        let claims = try await TokenService(secretKey: TestServer.secretKey, accessTTL: 300, refreshTTL: 600, clock: SystemClock(), random: SecureRandom())
            .verify(access)
        let forged = try await other.issue(userId: claims.userId, sessionId: claims.sid)
        #expect(try await client.get(Path.me, bearer: forged.access).status == 401)
    }

    @Test("Refresh rotates; replaying the old refresh token ends that session only")
    func refreshRotationAndReuse() async throws {
        let server = try await TestServer()
        let client = server.client()
        let first = try await server.verifiedUser("rot@example.com")
        let other = try await client.post(Path.login, ["email": "rot@example.com", "password": TestServer.password])
        #expect(other.status == 200)
        let refresh1 = try #require(first["refresh"])

        let rotated = try await client.post(Path.refresh, ["refresh": refresh1])
        #expect(rotated.status == 200)
        #expect(rotated.header("Cache-Control") == "no-store")
        let access2 = try #require(rotated["access"])
        let refresh2 = try #require(rotated["refresh"])
        #expect(refresh2 != refresh1)
        #expect(try await client.get(Path.me, bearer: access2).status == 200)
        #expect(try await client.post(Path.verify, ["token": refresh1]).status == 401)
        #expect(try await client.post(Path.verify, ["token": refresh2]).status == 200)

        // Replay of the rotated token: 401, and every token of that session dies.
        let replay = try await client.post(Path.refresh, ["refresh": refresh1])
        #expect(replay.status == 401 && replay.code == "token_not_valid")
        #expect(try await client.get(Path.me, bearer: access2).status == 401)
        #expect(try await client.post(Path.refresh, ["refresh": refresh2]).status == 401)
        #expect(try await client.post(Path.verify, ["token": access2]).status == 401)
        // The other login session of the same user is untouched.
        #expect(try await client.get(Path.me, bearer: try #require(other["access"])).status == 200)
        #expect(try await client.post(Path.refresh, ["refresh": try #require(other["refresh"])]).status == 200)

        // An access token is not a refresh token.
        let wrongType = try await client.post(Path.refresh, ["refresh": try #require(other["access"])])
        #expect(wrongType.status == 401)
        let missing = try await client.post(Path.refresh, [:])
        #expect(missing.status == 400 && missing.fieldErrors("refresh") == ["This field is required."])
    }

    @Test("Tokens say how the session was authenticated (aal, amr); refresh keeps the session's level, also a raised one")
    func assuranceLevel() async throws {
        let server = try await TestServer()
        let client = server.client()
        let signup = try await server.signup("level@example.com")
        #expect(try TokenForge.claims(of: try #require(signup["access"]))["amr"] as? [String] == ["pwd"])
        // verify-email without the signup's session opens one by the e-mailed code alone.
        try await server.plantCode("123456", email: "level@example.com")
        let verified = try await client.post(Path.verifyEmail, ["email": "level@example.com", "otp": "123456"])
        let byCode = try TokenForge.claims(of: try #require(verified["access"]))
        #expect(byCode["aal"] as? Int == 1 && byCode["amr"] as? [String] == ["otp"])
        let login = try await client.post(Path.login, ["email": "level@example.com", "password": TestServer.password])
        let claims = try TokenForge.claims(of: try #require(login["access"]))
        #expect(claims["aal"] as? Int == 1 && claims["amr"] as? [String] == ["pwd"])

        // A second factor raised the session since the refresh token was issued: the new tokens say so.
        let sid = try #require(claims["sid"] as? String)
        _ = try await server.sql("UPDATE login_sessions SET aal = 2, amr = 'pwd otp' WHERE id = '\(sid)'")
        let rotated = try await client.post(Path.refresh, ["refresh": try #require(login["refresh"])])
        #expect(rotated.status == 200)
        for token in [try #require(rotated["access"]), try #require(rotated["refresh"])] {
            let raised = try TokenForge.claims(of: token)
            #expect(raised["aal"] as? Int == 2 && raised["amr"] as? [String] == ["pwd", "otp"])
        }
        let again = try await client.post(Path.refresh, ["refresh": try #require(rotated["refresh"])])
        #expect(try TokenForge.claims(of: try #require(again["access"]))["aal"] as? Int == 2, "and keeps it")
        // The old refresh token is still a reuse, whatever level it names.
        #expect(try await client.post(Path.refresh, ["refresh": try #require(login["refresh"])]).status == 401)
    }

    @Test("token/verify accepts access and refresh tokens of live sessions only")
    func verify() async throws {
        let server = try await TestServer()
        let client = server.client()
        let auth = try await server.verifiedUser("ver@example.com")
        let ok = try await client.post(Path.verify, ["token": try #require(auth["access"])])
        #expect(ok.status == 200 && ok.text == "{}")
        #expect(try await client.post(Path.verify, ["token": try #require(auth["refresh"])]).status == 200)
        let bad = try await client.post(Path.verify, ["token": "nope"])
        #expect(bad.status == 401 && bad.code == "token_not_valid")
        #expect(try await client.post(Path.verify, [:]).status == 400)
    }

    @Test("Logout: 205 empty, the session's tokens stop, a second logout is 401")
    func logout() async throws {
        let server = try await TestServer()
        let client = server.client()
        let auth = try await server.verifiedUser("out@example.com")
        let other = try await client.post(Path.login, ["email": "out@example.com", "password": TestServer.password])
        let access = try #require(auth["access"])
        let refresh = try #require(auth["refresh"])
        let out = try await client.post(Path.logout, ["refresh": refresh])
        #expect(out.status == 205)
        #expect(out.body.isEmpty)
        #expect(try await client.get(Path.me, bearer: access).status == 401)
        #expect(try await client.post(Path.verify, ["token": access]).status == 401)
        #expect(try await client.post(Path.refresh, ["refresh": refresh]).status == 401)
        let again = try await client.post(Path.logout, ["refresh": refresh])
        #expect(again.status == 401 && again.code == "token_not_valid")
        #expect(try await client.post(Path.logout, [:]).status == 400)
        #expect(try await client.post(Path.logout, ["refresh": "garbage"]).status == 401)
        #expect(try await client.get(Path.me, bearer: try #require(other["access"])).status == 200)
    }

    @Test("The generated secret key is kept with mode 0600: tokens survive a restart")
    func generatedSecretKey() async throws {
        let first = try await TestServer(environment: ["AUTH_SECRET_KEY": ""], mode: .processes)
        let keyPath = first.stateDirectory.appendingPathComponent("secret.key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        _ = try await first.signup("keep@example.com")
        let login = try await first.client().post(Path.signup, ["email": "keep2@example.com", "password": TestServer.password])
        let access = try #require(login["access"])
        await first.stop()
        let second = try await TestServer(environment: ["AUTH_SECRET_KEY": ""], directory: first.directory, mode: .processes)
        #expect(try await second.client().get(Path.me, bearer: access).status == 200)
    }
}
