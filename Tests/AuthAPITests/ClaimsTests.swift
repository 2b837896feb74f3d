import Foundation
import Shared
import Testing

/// Tokens signed with the service's key whose claims are wrong: refused wherever they are used,
/// and the session they name is left as it was.
@Suite("Token claims against the clock and the session")
struct ClaimsTests {
    @Test("nbf in the future is refused at me, token/verify and token/refresh; nbf in the past is accepted")
    func notBefore() async throws {
        let server = try await TestServer()
        let client = server.client()
        let auth = try await server.verifiedUser("nbf@example.com")
        let access = try #require(auth["access"])
        let refresh = try #require(auth["refresh"])
        let future = Int(Date().timeIntervalSince1970) + 600
        let early = try TokenForge.resign(access, ["nbf": future])
        let earlyRefresh = try TokenForge.resign(refresh, ["nbf": future])

        let me = try await client.get(Path.me, bearer: early)
        #expect(me.status == 401 && me.code == "token_not_valid")
        #expect(me.header("WWW-Authenticate") == #"Bearer realm="api""#)
        for token in [early, earlyRefresh] {
            let verified = try await client.post(Path.verify, ["token": token])
            #expect(verified.status == 401 && verified.code == "token_not_valid")
        }
        let refreshed = try await client.post(Path.refresh, ["refresh": earlyRefresh])
        #expect(refreshed.status == 401 && refreshed.code == "token_not_valid")

        // A past nbf changes nothing: the same session, and its current refresh token, still work.
        let past = Int(Date().timeIntervalSince1970) - 60
        #expect(try await client.get(Path.me, bearer: try TokenForge.resign(access, ["nbf": past])).status == 200)
        #expect(try await client.post(Path.refresh, ["refresh": try TokenForge.resign(refresh, ["nbf": past])]).status == 200)
    }

    @Test("A refresh token whose user_id is not its session's user is refused everywhere; the session is untouched")
    func userMismatch() async throws {
        let server = try await TestServer()
        let client = server.client()
        let victim = try await server.verifiedUser("victim@example.com")
        let attacker = try await server.verifiedUser("attacker@example.com")
        let victimId = try #require(victim.json["id"] as? Int)
        let attackerAccess = try #require(attacker["access"])
        let attackerRefresh = try #require(attacker["refresh"])
        let attackerId = try #require(attacker.json["id"] as? Int)

        for claimed in [victimId, 999_999] {
            let refresh = try TokenForge.resign(attackerRefresh, ["user_id": claimed])
            let access = try TokenForge.resign(attackerAccess, ["user_id": claimed])
            let rotated = try await client.post(Path.refresh, ["refresh": refresh])
            #expect(rotated.status == 401 && rotated.code == "token_not_valid", "refresh as \(claimed)")
            #expect(rotated["access"] == nil)
            for token in [refresh, access] {
                let verified = try await client.post(Path.verify, ["token": token])
                #expect(verified.status == 401 && verified.code == "token_not_valid", "verify as \(claimed)")
            }
            let me = try await client.get(Path.me, bearer: access)
            #expect(me.status == 401 && me.code == "token_not_valid", "me as \(claimed)")
            #expect(try await client.get(Path.sessions, bearer: access).status == 401)
            #expect(try await client.post(Path.logoutAll, [:], bearer: access).status == 401)
            let logout = try await client.post(Path.logout, ["refresh": refresh])
            #expect(logout.status == 401 && logout.code == "token_not_valid", "logout as \(claimed)")
        }

        // Neither session was ended or rotated by the forgeries: the real tokens still work.
        let me = try await client.get(Path.me, bearer: attackerAccess)
        #expect(me.status == 200 && me.json["id"] as? Int == attackerId)
        let rotated = try await client.post(Path.refresh, ["refresh": attackerRefresh])
        #expect(rotated.status == 200)
        let newAccess = try #require(rotated["access"])
        #expect(try TokenForge.claims(of: newAccess)["user_id"] as? Int == attackerId)
        let victimAccess = try #require(victim["access"])
        #expect(try await client.get(Path.me, bearer: victimAccess).json["id"] as? Int == victimId)
    }

    @Test("The type claim decides: an access token relabelled as refresh is refused, and ends its session as a replay would")
    func typeMismatch() async throws {
        let server = try await TestServer()
        let client = server.client()
        let auth = try await server.verifiedUser("type@example.com")
        let access = try #require(auth["access"])
        // An access token presented as a refresh token: its jti is not the session's refresh jti,
        // which is all a replayed (rotated) refresh token looks like too.
        let relabelled = try TokenForge.resign(access, ["token_type": "refresh"])
        #expect(try await client.post(Path.verify, ["token": relabelled]).status == 401)
        #expect(try await client.get(Path.me, bearer: access).status == 200)
        let refreshed = try await client.post(Path.refresh, ["refresh": relabelled])
        #expect(refreshed.status == 401 && refreshed.code == "token_not_valid")
        #expect(try await client.get(Path.me, bearer: access).status == 401)
        let refresh = try #require(auth["refresh"])
        #expect(try await client.post(Path.refresh, ["refresh": refresh]).status == 401)
    }
}
