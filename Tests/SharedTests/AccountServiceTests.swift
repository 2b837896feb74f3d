import Foundation
import GRDB
import Testing
@testable import Shared

@Suite("Account service with an injected clock")
struct AccountServiceTests {
    @Test("Access tokens expire with the clock; the session ends with the refresh lifetime")
    func tokenAndSessionExpiry() async throws {
        let f = try await ServiceFixture()
        let result = try await f.signup("clock@example.com")
        _ = try await f.service.authenticate(accessToken: result.tokens.access)
        f.clock.advance(by: 301 + 5)
        await #expect(throws: APIError.tokenNotValid) { try await f.service.authenticate(accessToken: result.tokens.access) }
        let rotated = try await f.service.refresh(result.tokens.refresh, client: f.client)
        _ = try await f.service.authenticate(accessToken: rotated.access)
        // Rotation extends the session: one refresh lifetime from the rotation.
        f.clock.advance(by: 3_000)
        let again = try await f.service.refresh(rotated.refresh, client: f.client)
        f.clock.advance(by: 3_000)
        _ = try await f.service.refresh(again.refresh, client: f.client)
        f.clock.advance(by: 3_700)
        await #expect(throws: APIError.tokenNotValid) { try await f.service.refresh(again.refresh, client: f.client) }
    }

    @Test("A session past its expiry refuses even a still-valid access token")
    func sessionRowExpiry() async throws {
        let f = try await ServiceFixture()
        let result = try await f.signup("row@example.com")
        let sid = try await f.service.tokens.verify(result.tokens.access).sid
        try await f.db.pool.write { db in
            try db.execute(sql: "UPDATE login_sessions SET expires_at = ? WHERE id = ?", arguments: [f.clock.now().timeIntervalSince1970 - 1, sid])
        }
        await #expect(throws: APIError.tokenNotValid) { try await f.service.authenticate(accessToken: result.tokens.access) }
    }

    @Test("Codes expire with the clock")
    func codeExpiry() async throws {
        let f = try await ServiceFixture()
        let user = try await f.signup("code@example.com").user
        try await f.plantCode("135790", for: user, ttl: 600)
        f.clock.advance(by: 601)
        await #expect(throws: APIError.otpExpired) {
            try await f.service.verifyEmail(["email": .string("code@example.com"), "otp": .string("135790")], client: f.client)
        }
        try await f.plantCode("135790", for: user, ttl: 600)
        f.clock.advance(by: 599)
        let verified = try await f.service.verifyEmail(["email": .string("code@example.com"), "otp": .string("135790")], client: f.client)
        #expect(verified.user.isVerified)
    }

    @Test("Codes of another purpose do not verify an e-mail")
    func purposeBound() async throws {
        let f = try await ServiceFixture()
        let user = try await f.signup("purpose@example.com").user
        try await f.plantCode("246810", for: user, purpose: .passwordReset)
        await #expect(throws: APIError.otpInvalid) {
            try await f.service.verifyEmail(["email": .string("purpose@example.com"), "otp": .string("246810")], client: f.client)
        }
    }

    @Test("The send cooldown is 60 s from the last queued mail")
    func cooldown() async throws {
        let f = try await ServiceFixture()
        _ = try await f.signup("cool@example.com")
        func jobs() async throws -> Int { try await f.db.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM mail_jobs")! } }
        try await f.service.sendOTP(["email": .string("cool@example.com")], client: f.client)
        #expect(try await jobs() == 1)
        f.clock.advance(by: 59)
        try await f.service.sendOTP(["email": .string("cool@example.com")], client: f.client)
        #expect(try await jobs() == 1)
        f.clock.advance(by: 1)
        try await f.service.sendOTP(["email": .string("cool@example.com")], client: f.client)
        #expect(try await jobs() == 2)
    }

    @Test("Expired sessions, codes and cooldowns are purged")
    func purge() async throws {
        let f = try await ServiceFixture()
        let user = try await f.signup("purge@example.com").user
        try await f.plantCode("123123", for: user)
        #expect(try await f.service.purgeExpired() == 0)
        f.clock.advance(by: 2 * 86_400)
        #expect(try await f.service.purgeExpired() == 3)
        let left = try await f.db.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM login_sessions) + (SELECT COUNT(*) FROM one_time_codes) + (SELECT COUNT(*) FROM send_cooldowns)")!
        }
        #expect(left == 0)
    }

    @Test("Audit events are kept for the retention period, then purged")
    func auditRetention() async throws {
        let f = try await ServiceFixture()
        _ = try await f.signup("kept@example.com")
        func events() async throws -> Int { try await f.db.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM auth_events")! } }
        #expect(try await events() == 1)
        f.clock.advance(by: 89 * 86_400)
        _ = try await f.service.purgeExpired()
        #expect(try await events() == 1)
        f.clock.advance(by: 2 * 86_400)
        _ = try await f.service.purgeExpired()
        #expect(try await events() == 0)
    }

    @Test("A password change loses to a logout-all committed after the caller was authenticated")
    func passwordChangeRace() async throws {
        let f = try await ServiceFixture()
        let result = try await f.signup("race@example.com")
        let caller = try await f.service.authenticate(accessToken: result.tokens.access)
        _ = try await f.db.revokeAllSessions(userId: caller.userId, now: f.clock.now())
        await #expect(throws: APIError.tokenNotValid) {
            try await f.service.changePassword(
                caller, ["old_password": .string("correct horse battery staple"), "new_password": .string("a brand new passphrase")],
                client: f.client)
        }
        let stored = try #require(try await f.db.user(id: caller.userId))
        #expect(stored.password == caller.user.password)
    }

    @Test("Every record stores snake_case columns and dates as Unix seconds")
    func storageConventions() async throws {
        let f = try await ServiceFixture()
        let user = try await f.signup("conventions@example.com").user
        try await f.plantCode("123123", for: user)
        let types = try await f.db.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT typeof(date_joined) FROM users UNION ALL SELECT typeof(expires_at) FROM login_sessions
                UNION ALL SELECT typeof(expires_at) FROM one_time_codes UNION ALL SELECT typeof(run_at) FROM mail_jobs
                UNION ALL SELECT typeof(created_at) FROM auth_events
                """)
        }
        #expect(types.count == 5 && types.allSatisfy { $0 == "real" }, "\(types)")
    }
}
