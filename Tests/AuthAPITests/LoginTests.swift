import Foundation
import Shared
import Testing

@Suite("Login")
struct LoginTests {
    @Test("Unverified with the right password is 403; verified is 200 with tokens")
    func loginStates() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("lin@example.com")
        let unverified = try await client.post(Path.login, ["email": "lin@example.com", "password": TestServer.password])
        #expect(unverified.status == 403)
        #expect(unverified.code == "email_not_verified")
        try await server.plantCode("000123", email: "lin@example.com")
        #expect(try await client.post(Path.verifyEmail, ["email": "lin@example.com", "otp": "000123"]).status == 200)
        let ok = try await client.post(Path.login, ["email": "LIN@example.com", "password": TestServer.password])
        #expect(ok.status == 200)
        #expect(ok.json["is_verified"] as? Bool == true)
        #expect(ok["access"] != nil && ok["refresh"] != nil)
        #expect(ok.header("Cache-Control") == "no-store")
    }

    @Test("Unknown address, wrong password, unverified + wrong password: identical 401s")
    func identicalFailures() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.verifiedUser("known@example.com")
        _ = try await server.signup("unverified@example.com")
        let unknown = try await client.post(Path.login, ["email": "nobody@example.com", "password": TestServer.password])
        let wrong = try await client.post(Path.login, ["email": "known@example.com", "password": "not the password"])
        let unverifiedWrong = try await client.post(Path.login, ["email": "unverified@example.com", "password": "not the password"])
        for r in [unknown, wrong, unverifiedWrong] {
            #expect(r.status == 401)
            #expect(r.code == "invalid_credentials")
            #expect(r.body == unknown.body)
            #expect(r.header("WWW-Authenticate") == #"Bearer realm="api""#)
            let names: [String] = r.headers.map(\.name.canonicalName).filter { $0 != "date" }
            let expected: [String] = unknown.headers.map(\.name.canonicalName).filter { $0 != "date" }
            #expect(names == expected)
        }
        let missing = try await client.post(Path.login, [:])
        #expect(missing.status == 400)
        #expect(missing.fieldErrors("email") == ["This field is required."] && missing.fieldErrors("password") == ["This field is required."])
    }

    @Test("An inactive account with the right password gets the same 401")
    func inactive() async throws {
        let server = try await TestServer()
        _ = try await server.verifiedUser("gone@example.com")
        try await server.sql("UPDATE users SET is_active = FALSE")
        let r = try await server.client().post(Path.login, ["email": "gone@example.com", "password": TestServer.password])
        #expect(r.status == 401 && r.code == "invalid_credentials")
    }

    @Test("A hash made with other parameters is re-hashed on a successful login")
    func rehashOnLogin() async throws {
        let first = try await TestServer()
        _ = try await first.verifiedUser("old@example.com")
        await first.stop()
        let second = try await TestServer(
            environment: ["AUTH_ARGON2_MEMORY_KIB": "2048", "AUTH_ARGON2_ITERATIONS": "2"], directory: first.directory)
        let before = try #require(try await second.storedUser("old@example.com")).password
        #expect(before.contains("m=1024,t=1,p=1"))
        let wrong = try await second.client().post(Path.login, ["email": "old@example.com", "password": "nope nope nope"])
        #expect(wrong.status == 401)
        #expect(try #require(try await second.storedUser("old@example.com")).password == before)
        let ok = try await second.client().post(Path.login, ["email": "old@example.com", "password": TestServer.password])
        #expect(ok.status == 200)
        let after = try #require(try await second.storedUser("old@example.com")).password
        #expect(after.contains("m=2048,t=2,p=1"))
        #expect(try await second.client().post(Path.login, ["email": "old@example.com", "password": TestServer.password]).status == 200)
    }

    @Test("Unknown addresses cost a hash too: their timing matches wrong passwords")
    func timingOfUnknownAddress() async throws {
        // Default (expensive) parameters, so that skipping the dummy hash would show clearly.
        let server = try await TestServer(environment: ["AUTH_ARGON2_MEMORY_KIB": "19456", "AUTH_ARGON2_ITERATIONS": "2"])
        let client = server.client()
        _ = try await server.verifiedUser("timed@example.com")
        func median(_ email: String) async throws -> Double {
            var samples: [Double] = []
            for _ in 0..<7 {
                let start = ContinuousClock.now
                _ = try await client.post(Path.login, ["email": email, "password": "wrong password 1"])
                let d = ContinuousClock.now - start
                samples.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            }
            return samples.sorted()[3]
        }
        let unknown = try await median("nobody-at-all@example.com")
        let wrong = try await median("timed@example.com")
        #expect(unknown > wrong * 0.4, "unknown \(unknown) s vs wrong password \(wrong) s")
    }
}
