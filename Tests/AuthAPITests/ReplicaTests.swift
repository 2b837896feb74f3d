import Foundation
import Testing

/// API.md: "Several API replicas behave as one: a logout, revocation, profile or password change
/// made through one replica holds on every other replica for the very next request." Each step
/// names its replica explicitly. It runs on both backends: two `serve` processes share the
/// SQLite file as well as the PostgreSQL database.
@Suite("Replicas behave as one")
struct ReplicaTests {
    @Test("A change through one replica holds on the other for the very next request")
    func changesHoldEverywhere() async throws {
        let server = try await TestServer(replicas: 2, mode: .live)
        let a = HTTPTestClient(host: server.host, port: server.ports[0])
        let b = HTTPTestClient(host: server.host, port: server.ports[server.ports.count - 1])
        let first = try await server.verifiedUser("replica@example.com")
        let access = try #require(first["access"]), refresh = try #require(first["refresh"])

        // Profile: written through A, read through B.
        #expect(try await a.patch(Path.me, ["first_name": "Ada"], bearer: access).status == 200)
        #expect(try await b.get(Path.me, bearer: access)["first_name"] == "Ada")

        // Refresh rotated through B; the old refresh token replayed through A ends the session on both.
        let rotated = try await b.post(Path.refresh, ["refresh": refresh])
        let newAccess = try #require(rotated["access"])
        #expect(try await a.post(Path.refresh, ["refresh": refresh]).status == 401)
        #expect(try await b.get(Path.me, bearer: newAccess).status == 401)

        // Logout through A: the session's access token is refused by B at once.
        let login = try await b.post(Path.login, ["email": "replica@example.com", "password": TestServer.password])
        let sessionAccess = try #require(login["access"]), sessionRefresh = try #require(login["refresh"])
        #expect(try await b.get(Path.me, bearer: sessionAccess).status == 200)
        #expect(try await a.post(Path.logout, ["refresh": sessionRefresh]).status == 205)
        #expect(try await b.get(Path.me, bearer: sessionAccess).status == 401)

        // Password change through B: A refuses the other sessions and the old password at once.
        let other = try #require(try await a.post(Path.login, ["email": "replica@example.com", "password": TestServer.password])["access"])
        let current = try #require(try await b.post(Path.login, ["email": "replica@example.com", "password": TestServer.password])["access"])
        let changed = try await b.post(Path.passwordChange, ["old_password": TestServer.password, "new_password": "another fine passphrase"],
                                       bearer: current)
        #expect(changed.status == 200)
        #expect(try await a.get(Path.me, bearer: other).status == 401)
        #expect(try await a.post(Path.login, ["email": "replica@example.com", "password": TestServer.password]).status == 401)
        #expect(try await a.post(Path.login, ["email": "replica@example.com", "password": "another fine passphrase"]).status == 200)

        // One session revoked through A is refused by B; logout-all through B is refused by A.
        let x = try #require(try await a.post(Path.login, ["email": "replica@example.com", "password": "another fine passphrase"])["access"])
        let y = try #require(try await b.post(Path.login, ["email": "replica@example.com", "password": "another fine passphrase"])["access"])
        let list = try await b.get(Path.sessions, bearer: x)
        let entries = try #require(try JSONSerialization.jsonObject(with: list.body) as? [[String: Any]])
        let yID = try #require(Self.sessionID(of: y))
        #expect(entries.contains { $0["id"] as? String == yID })
        #expect(try await a.delete(Path.sessions + yID + "/", bearer: x).status == 204)
        #expect(try await b.get(Path.me, bearer: y).status == 401)
        #expect(try await b.post(Path.logoutAll, [:], bearer: x).status == 205)
        #expect(try await a.get(Path.me, bearer: x).status == 401)
    }

    /// The `sid` claim of a token (its payload is base64url JSON).
    static func sessionID(of token: String) -> String? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload),
              let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return claims["sid"] as? String
    }
}
