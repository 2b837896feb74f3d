import Foundation
import GRDB
import Testing
@testable import Shared

/// The account use cases over each backend (a fresh database per test), with an injected clock:
/// the same rules must hold whichever database runs underneath.
@Suite("Account use cases on each backend, with an injected clock", .backendServices)
struct AccountServiceTests {
    @Test("Access tokens expire with the clock; the session ends with the refresh lifetime", arguments: TestStore.available)
    func tokenAndSessionExpiry(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        let result = try await f.signup("clock@example.com")
        _ = try await f.accounts.authentication.authenticate(accessToken: result.tokens.access)
        f.clock.advance(by: 301 + 5)
        await #expect(throws: AuthError.tokenNotValid) { try await f.accounts.authentication.authenticate(accessToken: result.tokens.access) }
        let rotated = try await f.accounts.authentication.refresh(result.tokens.refresh, client: f.client)
        _ = try await f.accounts.authentication.authenticate(accessToken: rotated.access)
        // Rotation extends the session: one refresh lifetime from the rotation.
        f.clock.advance(by: 3_000)
        let again = try await f.accounts.authentication.refresh(rotated.refresh, client: f.client)
        f.clock.advance(by: 3_000)
        _ = try await f.accounts.authentication.refresh(again.refresh, client: f.client)
        f.clock.advance(by: 3_700)
        await #expect(throws: AuthError.tokenNotValid) { try await f.accounts.authentication.refresh(again.refresh, client: f.client) }
        await f.db.close()
    }

    @Test("A session past its expiry refuses even a still-valid access token", arguments: TestStore.available)
    func sessionRowExpiry(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        let result = try await f.signup("row@example.com")
        let sid = try await f.tokens.verify(result.tokens.access).sid
        try await f.db.execute("UPDATE login_sessions SET expires_at = \(f.clock.now().timeIntervalSince1970 - 1) WHERE id = '\(sid)'")
        await #expect(throws: AuthError.tokenNotValid) { try await f.accounts.authentication.authenticate(accessToken: result.tokens.access) }
        await f.db.close()
    }

    @Test("Codes expire with the clock", arguments: TestStore.available)
    func codeExpiry(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        let user = try await f.signup("code@example.com").user
        try await f.plantCode("135790", for: user, ttl: 600)
        f.clock.advance(by: 601)
        await #expect(throws: AuthError.codeExpired) {
            try await f.verifyEmail("code@example.com", otp: "135790")
        }
        try await f.plantCode("135790", for: user, ttl: 600)
        f.clock.advance(by: 599)
        let verified = try await f.verifyEmail("code@example.com", otp: "135790")
        #expect(verified.user.isVerified)
        await f.db.close()
    }

    @Test("Codes of another purpose do not verify an e-mail", arguments: TestStore.available)
    func purposeBound(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        let user = try await f.signup("purpose@example.com").user
        try await f.plantCode("246810", for: user, purpose: .passwordReset)
        await #expect(throws: AuthError.codeInvalid) {
            try await f.verifyEmail("purpose@example.com", otp: "246810")
        }
        await f.db.close()
    }

    @Test("The send cooldown is 60 s from the last queued mail", arguments: TestStore.available)
    func cooldown(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        _ = try await f.signup("cool@example.com")
        func jobs() async throws -> Int { try await f.db.integer("SELECT COUNT(*) FROM mail_jobs") }
        try await f.accounts.verification.sendCode(.success(try EmailRequest(json: ["email": .string("cool@example.com")])), client: f.client)
        #expect(try await jobs() == 1)
        f.clock.advance(by: 59)
        try await f.accounts.verification.sendCode(.success(try EmailRequest(json: ["email": .string("cool@example.com")])), client: f.client)
        #expect(try await jobs() == 1)
        f.clock.advance(by: 1)
        try await f.accounts.verification.sendCode(.success(try EmailRequest(json: ["email": .string("cool@example.com")])), client: f.client)
        #expect(try await jobs() == 2)
        await f.db.close()
    }

    @Test("Expired sessions, codes and cooldowns are purged", arguments: TestStore.available)
    func purge(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        let user = try await f.signup("purge@example.com").user
        try await f.plantCode("123123", for: user)
        #expect(try await f.accounts.housekeeping.purgeExpired() == 0)
        f.clock.advance(by: 2 * 86_400)
        #expect(try await f.accounts.housekeeping.purgeExpired() == 3)
        let left = try await f.db.integer(
            "SELECT (SELECT COUNT(*) FROM login_sessions) + (SELECT COUNT(*) FROM one_time_codes) + (SELECT COUNT(*) FROM send_cooldowns)")
        #expect(left == 0)
        await f.db.close()
    }

    @Test("A backlog larger than a purge round goes in one purge, round after round", arguments: TestStore.available)
    func purgeBacklog(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        let backlog = 2 * BatchedPurge.batch + 7
        let old = f.clock.now().addingTimeInterval(-100 * 86_400)
        for i in 0..<backlog {
            try await f.db.recordEvent(AuditRecord(event: .loginFailed, userId: nil, client: nil, detail: "\(i)", at: old))
        }
        #expect(try await f.accounts.housekeeping.purgeExpired() == backlog)
        #expect(try await f.db.integer("SELECT COUNT(*) FROM auth_events") == 0)
        await f.db.close()
    }

    @Test("Audit events are kept for the retention period, then purged", arguments: TestStore.available)
    func auditRetention(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        _ = try await f.signup("kept@example.com")
        func events() async throws -> Int { try await f.db.integer("SELECT COUNT(*) FROM auth_events") }
        #expect(try await events() == 1)
        f.clock.advance(by: 89 * 86_400)
        _ = try await f.accounts.housekeeping.purgeExpired()
        #expect(try await events() == 1)
        f.clock.advance(by: 2 * 86_400)
        _ = try await f.accounts.housekeeping.purgeExpired()
        #expect(try await events() == 0)
        await f.db.close()
    }

    @Test("A password change loses to a logout-all committed after the caller was authenticated", arguments: TestStore.available)
    func passwordChangeRace(store: TestStore) async throws {
        let f = try await ServiceFixture(store)
        let result = try await f.signup("race@example.com")
        let caller = try await f.accounts.authentication.authenticate(accessToken: result.tokens.access)
        _ = try await f.db.revokeAllSessions(userId: caller.userId, now: f.clock.now())
        await #expect(throws: AuthError.tokenNotValid) {
            try await f.accounts.passwordChange.change(
                caller, .success(PasswordChangeRequest(oldPassword: "correct horse battery staple", newPassword: "a brand new passphrase")),
                client: f.client)
        }
        let stored = try #require(try await f.db.user(id: caller.userId))
        #expect(stored.password == caller.user.password)
        await f.db.close()
    }

    @Test("Every record stores snake_case columns and dates as Unix seconds")
    func storageConventions() async throws {
        let f = try await ServiceFixture()
        let user = try await f.signup("conventions@example.com").user
        try await f.plantCode("123123", for: user)
        let sqlite = try #require(f.db as? AppDatabase)
        let types = try await sqlite.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT typeof(date_joined) FROM users UNION ALL SELECT typeof(expires_at) FROM login_sessions
                UNION ALL SELECT typeof(expires_at) FROM one_time_codes UNION ALL SELECT typeof(run_at) FROM mail_jobs
                UNION ALL SELECT typeof(created_at) FROM auth_events
                """)
        }
        #expect(types.count == 5 && types.allSatisfy { $0 == "real" }, "\(types)")
        await f.db.close()
    }
}
