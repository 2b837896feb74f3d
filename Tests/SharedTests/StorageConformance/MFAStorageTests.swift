import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// The second factor on every backend: setup and confirmation, a TOTP step taken once (also
    /// through another connection pool, as another replica), recovery codes spent once, the
    /// login challenge's attempts and burn, disable and regeneration.
    @Suite("MFA storage conformance", .serialized)
    struct MFAStorageTests {
        typealias C = Conformance

        /// A TOTP "code" that matches `step`, for the rules: they only see the matching step.
        static func code(_ step: Int64?) -> SecondFactor { .totp(step: { _, _ in step }) }

        static func hashes(_ tag: String) -> [[UInt8]] { (0..<10).map { Array("\(tag)-\($0)".utf8) } }

        static func session(_ db: any AuthBackend, _ id: String) async throws -> (aal: Int, amr: String?, revoked: String?) {
            (try await db.integer("SELECT aal FROM login_sessions WHERE id = '\(id)'"),
             try await db.text("SELECT amr FROM login_sessions WHERE id = '\(id)'"),
             try await db.text("SELECT revoke_reason FROM login_sessions WHERE id = '\(id)'"))
        }

        /// A user with MFA confirmed at step 100 through session "s".
        static func enrolled(_ db: any AuthBackend, _ email: String) async throws -> Int64 {
            let id = try await C.createUser(db, email)
            try await C.openSession(db, "s-\(id)", userId: id, jti: "j")
            #expect(try await db.beginTOTPSetup(userId: id, sealedSecret: [1], now: C.at(1)) == .done)
            #expect(try await db.confirmTOTP(userId: id, sessionId: "s-\(id)", code: code(100), recoveryCodeHashes: hashes("r\(id)"),
                                             notice: nil, now: C.at(2)) == .done)
            return id
        }

        @Test("Setup is pending until a first code; confirming raises the calling session, ends the others, stores codes, queues the notice",
              arguments: TestStore.available)
        func setupAndConfirm(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "mfa-setup@example.com")
            try await C.openSession(db, "calling", userId: id, jti: "j1")
            try await C.openSession(db, "other", userId: id, jti: "j2")
            #expect(try await db.totpFactor(userId: id) == nil)
            #expect(try await db.beginTOTPSetup(userId: id, sealedSecret: [1, 2], now: C.at(1)) == .done)
            #expect(try await db.beginTOTPSetup(userId: id, sealedSecret: [3, 4], now: C.at(2)) == .done, "a new setup replaces a pending one")
            #expect(try await db.totpFactor(userId: id)?.sealedSecret == [3, 4])
            #expect(try await db.totpFactor(userId: id)?.isConfirmed == false)
            #expect(try await db.mfaStatus(userId: id) == (false, 0))

            #expect(try await db.confirmTOTP(userId: id, sessionId: "calling", code: Self.code(nil), recoveryCodeHashes: Self.hashes("a"),
                                             notice: C.job(userId: id), now: C.at(3)) == .invalidCode)
            #expect(try await db.totpFactor(userId: id)?.isConfirmed == false)
            let jobsBefore = try await db.integer("SELECT COUNT(*) FROM mail_jobs")

            // The calling session ended meanwhile: nothing is kept.
            try await C.openSession(db, "gone", userId: id, jti: "j3")
            _ = try await db.revokeSession(userId: id, sessionId: "gone", now: C.at(3))
            #expect(try await db.confirmTOTP(userId: id, sessionId: "gone", code: Self.code(7), recoveryCodeHashes: Self.hashes("a"),
                                             notice: C.job(userId: id), now: C.at(4)) == .sessionEnded)
            #expect(try await db.totpFactor(userId: id)?.isConfirmed == false)
            #expect(try await db.mfaStatus(userId: id) == (false, 0))
            #expect(try await Self.session(db, "other").revoked == nil)

            #expect(try await db.confirmTOTP(userId: id, sessionId: "calling", code: Self.code(7), recoveryCodeHashes: Self.hashes("a"),
                                             notice: C.job(userId: id), now: C.at(5)) == .done)
            let factor = try #require(try await db.totpFactor(userId: id))
            #expect(factor.confirmedAt == C.at(5) && factor.lastStep == 7)
            #expect(try await db.mfaStatus(userId: id) == (true, 10))
            let calling = try await Self.session(db, "calling")
            #expect(calling.aal == 2 && calling.amr == "pwd otp" && calling.revoked == nil)
            #expect(try await Self.session(db, "other").revoked == "mfa_enabled")
            #expect(try await db.integer("SELECT COUNT(*) FROM mail_jobs") == jobsBefore + 1)

            #expect(try await db.beginTOTPSetup(userId: id, sealedSecret: [9], now: C.at(6)) == .wrongState)
            #expect(try await db.confirmTOTP(userId: id, sessionId: "calling", code: Self.code(8), recoveryCodeHashes: [], notice: nil,
                                             now: C.at(6)) == .wrongState)
            await db.close()
        }

        @Test("The login's second step: a step taken once, also through another pool; recovery codes once; five wrong codes burn it",
              arguments: TestStore.available)
        func secondStep(store: TestStore) async throws {
            let db = try await store.openFresh()
            let replica = try await C.secondPool(db)
            let id = try await Self.enrolled(db, "mfa-login@example.com")
            func challenge(_ name: String, expires: TimeInterval = 300) async throws -> [UInt8] {
                let token = Array(name.utf8)
                try await db.createMFAChallenge(tokenHash: token, userId: id, now: C.at(10), expiresAt: C.at(10 + expires))
                return token
            }
            func login(_ token: [UInt8], _ code: SecondFactor, on backend: any AuthBackend, session: String, at: TimeInterval = 20)
                async throws -> (MFAOutcome, LoginSession?) {
                try await backend.completeMFALogin(tokenHash: token, code: code, now: C.at(at)) { userId in
                    C.session(session, userId: userId, jti: "jti-\(session)", created: C.at(at))
                }
            }

            // The confirming code's step (100) is spent: a replay, and it counts as a wrong try.
            let first = try await challenge("c1")
            #expect(try await login(first, Self.code(100), on: db, session: "x").0 == .invalidCode)
            let done = try await login(first, Self.code(101), on: db, session: "m1")
            #expect(done.0 == .done && done.1?.userId == id && done.1?.level == SessionLevel(aal: 2, amr: ["pwd", "otp"]))
            let opened = try await Self.session(db, "m1")
            #expect(opened.aal == 2 && opened.amr == "pwd otp")
            #expect(try await db.user(id: id)?.lastLogin == C.at(20))
            #expect(try await login(first, Self.code(102), on: db, session: "m2").0 == .invalidChallenge, "single use")

            // Step 101 again, through another pool (another replica): refused.
            let second = try await challenge("c2")
            #expect(try await login(second, Self.code(101), on: replica, session: "m3").0 == .invalidCode)

            // Recovery codes: each once.
            let hash = Self.hashes("r\(id)")[3]
            let recovered = try await login(second, .recoveryCode(hash: hash), on: replica, session: "m4")
            #expect(recovered.0 == .done && recovered.1?.userId == id)
            #expect(try await Self.session(db, "m4").amr == "pwd recovery")
            #expect(try await db.mfaStatus(userId: id) == (true, 9))
            let third = try await challenge("c3")
            #expect(try await login(third, .recoveryCode(hash: hash), on: db, session: "m5").0 == .invalidCode)
            #expect(try await login(third, .recoveryCode(hash: Array("unknown".utf8)), on: db, session: "m5").0 == .invalidCode)

            // Five wrong codes burn the challenge: even a right one is refused after.
            let fourth = try await challenge("c4")
            for _ in 0..<5 { #expect(try await login(fourth, Self.code(nil), on: db, session: "m6").0 == .invalidCode) }
            #expect(try await login(fourth, Self.code(500), on: db, session: "m6").0 == .invalidChallenge)
            // Expired, unknown.
            let fifth = try await challenge("c5", expires: 5)
            #expect(try await login(fifth, Self.code(501), on: db, session: "m7").0 == .invalidChallenge)
            #expect(try await login(Array("nope".utf8), Self.code(502), on: db, session: "m8").0 == .invalidChallenge)
            // Deactivated between the two steps: no session.
            let sixth = try await challenge("c6")
            try await db.execute("UPDATE users SET is_active = \(store == .sqlite ? "0" : "FALSE") WHERE id = \(id)")
            #expect(try await login(sixth, Self.code(503), on: db, session: "m9").0 == .invalidChallenge)
            #expect(try await db.integer("SELECT COUNT(*) FROM login_sessions WHERE id IN ('x', 'm2', 'm3', 'm5', 'm6', 'm7', 'm8', 'm9')") == 0)
            await replica.close()
            await db.close()
        }

        @Test("Two pools race one TOTP step on two challenges: exactly one login", arguments: TestStore.available)
        func raceOneStep(store: TestStore) async throws {
            let db = try await store.openFresh()
            let replica = try await C.secondPool(db)
            let id = try await Self.enrolled(db, "mfa-race@example.com")
            for round in 0..<5 {
                let a = Array("a\(round)".utf8), b = Array("b\(round)".utf8)
                try await db.createMFAChallenge(tokenHash: a, userId: id, now: C.at(10), expiresAt: C.at(310))
                try await db.createMFAChallenge(tokenHash: b, userId: id, now: C.at(10), expiresAt: C.at(310))
                let step = Int64(200 + round)
                async let first = db.completeMFALogin(tokenHash: a, code: Self.code(step), now: C.at(20)) {
                    C.session("ra\(round)", userId: $0, created: C.at(20))
                }
                async let second = replica.completeMFALogin(tokenHash: b, code: Self.code(step), now: C.at(20)) {
                    C.session("rb\(round)", userId: $0, created: C.at(20))
                }
                let outcomes = try await [first.0, second.0]
                #expect(outcomes.filter { $0 == .done }.count == 1, "round \(round): \(outcomes)")
            }
            await replica.close()
            await db.close()
        }

        @Test("Disable needs a right code and removes everything; new recovery codes replace the old", arguments: TestStore.available)
        func disableAndRegenerate(store: TestStore) async throws {
            let db = try await store.openFresh()
            let plain = try await C.createUser(db, "mfa-none@example.com")
            #expect(try await db.regenerateRecoveryCodes(userId: plain, hashes: Self.hashes("n")) == .wrongState)
            #expect(try await db.disableTOTP(userId: plain, code: Self.code(1), notice: nil, now: C.at(1)) == .invalidCode)

            let id = try await Self.enrolled(db, "mfa-off@example.com")
            #expect(try await db.regenerateRecoveryCodes(userId: id, hashes: Self.hashes("new")) == .done)
            #expect(try await db.mfaStatus(userId: id) == (true, 10))
            #expect(try await db.disableTOTP(userId: id, code: .recoveryCode(hash: Self.hashes("r\(id)")[0]), notice: nil, now: C.at(3))
                    == .invalidCode, "the old codes stopped working")
            #expect(try await db.disableTOTP(userId: id, code: Self.code(100), notice: nil, now: C.at(3)) == .invalidCode, "a replay")
            let jobs = try await db.integer("SELECT COUNT(*) FROM mail_jobs")
            #expect(try await db.disableTOTP(userId: id, code: Self.code(150), notice: C.job(userId: id), now: C.at(4)) == .done)
            #expect(try await db.totpFactor(userId: id) == nil)
            #expect(try await db.mfaStatus(userId: id) == (false, 0))
            #expect(try await db.integer("SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = \(id)") == 0)
            #expect(try await db.integer("SELECT COUNT(*) FROM mail_jobs") == jobs + 1)
            #expect(try await db.beginTOTPSetup(userId: id, sealedSecret: [5], now: C.at(5)) == .done, "can be set up again")
            await db.close()
        }

        @Test("Staff's MFA reset removes a factor and queues the notice; a factor only being set up goes without a notice", arguments: TestStore.available)
        func staffReset(store: TestStore) async throws {
            let db = try await store.openFresh()
            let pending = try await C.createUser(db, "mfa-pending@example.com")
            #expect(try await db.beginTOTPSetup(userId: pending, sealedSecret: [1], now: C.at(1)) == .done)
            #expect(try await !db.resetMFA(userId: pending, notice: C.job(.mfaDisabledNotice, userId: pending), now: C.at(2)))
            #expect(try await db.totpFactor(userId: pending) == nil)
            #expect(try await db.integer("SELECT COUNT(*) FROM mail_jobs") == 0, "MFA was never on: no notice")

            let id = try await Self.enrolled(db, "mfa-reset@example.com")
            let jobs = try await db.integer("SELECT COUNT(*) FROM mail_jobs")
            #expect(try await db.resetMFA(userId: id, notice: C.job(.mfaDisabledNotice, userId: id, nonce: "reset"), now: C.at(4)))
            #expect(try await db.mfaStatus(userId: id) == (false, 0))
            #expect(try await db.integer("SELECT COUNT(*) FROM mail_jobs WHERE nonce = 'reset'") == 1)
            #expect(try await db.integer("SELECT COUNT(*) FROM mail_jobs") == jobs + 1)
            await db.close()
        }
    }
}
