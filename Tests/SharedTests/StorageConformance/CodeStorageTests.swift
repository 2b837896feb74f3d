import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// One-time codes on every backend: `storeCode` (replace, retry) and `redeemCode` (each outcome,
    /// each effect, and single use under parallel redemptions).
    @Suite("One-time code storage conformance", .serialized)
    struct CodeStorageTests {
        typealias C = Conformance

        /// What `matches` was shown, to check the stored code as the store reads it back.
        final class Seen: @unchecked Sendable {
            private let lock = NSLock()
            private var codes: [OneTimeCode] = []
            func add(_ code: OneTimeCode) { lock.withLock { codes.append(code) } }
            var last: OneTimeCode? { lock.withLock { codes.last } }
        }

        struct StoredCode: Equatable {
            var attempts: Int
            var usedAt: Double?
            var expiresAt: Double?
            var createdAt: Double?
            var emailKey: String?

            static func read(_ db: any AuthBackend, _ purpose: CodePurpose = .verifyEmail, userId: Int64) async throws -> StoredCode {
                let row = "FROM one_time_codes WHERE purpose = '\(purpose.rawValue)' AND user_id = \(userId)"
                return StoredCode(
                    attempts: try await db.integer("SELECT attempts \(row)"), usedAt: try await db.real("SELECT used_at \(row)"),
                    expiresAt: try await db.real("SELECT expires_at \(row)"), createdAt: try await db.real("SELECT created_at \(row)"),
                    emailKey: try await db.text("SELECT email_key \(row)"))
            }
        }

        static func isVerified(_ db: any AuthBackend, _ id: Int64) async throws -> Bool {
            try await db.user(id: id)?.isVerified == true
        }

        // MARK: storeCode

        @Test("storeCode keeps one code per purpose and user, stored whole", arguments: TestStore.available)
        func storeOnePerPurpose(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "Coder@Example.com")
            let other = try await C.createUser(db, "other@example.com")
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "Coder@Example.com", hash: 1, created: C.at(5), ttl: 600))
            #expect(try await db.rows("one_time_codes") == 1)
            #expect(try await StoredCode.read(db, userId: id) == StoredCode(
                attempts: 0, usedAt: nil, expiresAt: C.at(605).timeIntervalSince1970, createdAt: C.at(5).timeIntervalSince1970,
                emailKey: "coder@example.com"))
            #expect(try await db.text("SELECT email FROM one_time_codes") == "Coder@Example.com")

            // The store reads it back as it was stored.
            let seen = Seen()
            let outcome = try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "coder@example.com", now: C.at(10),
                                                  matches: { seen.add($0); return true }, effect: .checkOnly)
            #expect(C.isRedeemed(outcome))
            var expected = C.code(.verifyEmail, userId: id, email: "Coder@Example.com", hash: 1, created: C.at(5), ttl: 600)
            expected.id = seen.last?.id
            #expect(seen.last == expected)
            #expect(expected.id != nil)

            try await db.storeCode(C.code(.passwordReset, userId: id, email: "Coder@Example.com", hash: 2))
            try await db.storeCode(C.code(.verifyEmail, userId: other, email: "other@example.com", hash: 3))
            #expect(try await db.rows("one_time_codes") == 3)
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "Coder@Example.com", hash: 4))
            #expect(try await db.rows("one_time_codes") == 3)
            #expect(try await db.rows("one_time_codes", where: "user_id = \(id)") == 2)
            await db.close()
        }

        @Test("A new code replaces the earlier one, whatever its state: no tries, not used, the new address", arguments: TestStore.available)
        func newCodeReplaces(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "replace@example.com")
            func redeem(_ hash: UInt8, emailKey: String? = "replace@example.com", at seconds: TimeInterval = 1) async throws -> CodeRedemption {
                try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: emailKey, now: C.at(seconds),
                                        matches: C.presenting(hash), effect: .checkOnly)
            }
            func save(_ hash: UInt8, email: String = "replace@example.com", at seconds: TimeInterval = 0) async throws {
                try await db.storeCode(C.code(.verifyEmail, userId: id, email: email, hash: hash, created: C.at(seconds)))
            }
            // Wrong tries are reset by a new code, and the old code is gone.
            try await save(1)
            #expect(try await redeem(9) == .invalid)
            #expect(try await redeem(9) == .invalid)
            #expect(try await StoredCode.read(db, userId: id).attempts == 2)
            try await save(2, at: 100)
            #expect(try await StoredCode.read(db, userId: id) == StoredCode(
                attempts: 0, usedAt: nil, expiresAt: C.at(700).timeIntervalSince1970, createdAt: C.at(100).timeIntervalSince1970,
                emailKey: "replace@example.com"))
            #expect(try await redeem(1, at: 101) == .invalid)
            #expect(C.isRedeemed(try await redeem(2, at: 101)))

            // A used code is replaced by a usable one.
            #expect(C.isRedeemed(try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "replace@example.com", now: C.at(102),
                                                         matches: C.presenting(2), effect: .resetPassword(hash: "h2"))))
            #expect(try await StoredCode.read(db, userId: id).usedAt == C.at(102).timeIntervalSince1970)
            try await save(3, at: 200)
            #expect(try await StoredCode.read(db, userId: id).usedAt == nil)
            #expect(C.isRedeemed(try await redeem(3, at: 201)))

            // A burnt code is replaced by a usable one.
            for _ in 0..<OneTimeCode.maxAttempts { _ = try await redeem(9, at: 202) }
            #expect(try await redeem(3, at: 202) == .locked)
            try await save(4, at: 300)
            #expect(try await StoredCode.read(db, userId: id).attempts == 0)
            #expect(C.isRedeemed(try await redeem(4, at: 301)))

            // A new code for another address moves the code to that address.
            try await save(5, email: "Elsewhere@Example.com", at: 400)
            #expect(try await StoredCode.read(db, userId: id).emailKey == "elsewhere@example.com")
            #expect(try await redeem(5, at: 401) == .invalid)
            #expect(C.isRedeemed(try await redeem(5, emailKey: "elsewhere@example.com", at: 401)))
            #expect(try await db.rows("one_time_codes") == 1)
            await db.close()
        }

        @Test("The same code stored again keeps its tries and renews an unused one's expiry, but never revives a used or burnt one", arguments: TestStore.available)
        func sameCodeAgain(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "again@example.com")
            func redeem(_ hash: UInt8, at seconds: TimeInterval, effect: CodeEffect = .checkOnly) async throws -> CodeRedemption {
                try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "again@example.com", now: C.at(seconds),
                                        matches: C.presenting(hash), effect: effect)
            }
            func save(_ hash: UInt8, at seconds: TimeInterval) async throws {
                try await db.storeCode(C.code(.verifyEmail, userId: id, email: "again@example.com", hash: hash, created: C.at(seconds)))
            }
            // Unused, with wrong tries: renewed, tries kept.
            try await save(1, at: 0)
            #expect(try await redeem(9, at: 1) == .invalid)
            #expect(try await redeem(9, at: 2) == .invalid)
            try await save(1, at: 300)
            #expect(try await StoredCode.read(db, userId: id) == StoredCode(
                attempts: 2, usedAt: nil, expiresAt: C.at(900).timeIntervalSince1970, createdAt: C.at(300).timeIntervalSince1970,
                emailKey: "again@example.com"))
            // Renewed: still good after the first expiry.
            #expect(C.isRedeemed(try await redeem(1, at: 700)))
            // Kept tries: three more wrong ones burn it.
            for _ in 0..<2 { #expect(try await redeem(9, at: 701) == .invalid) }
            #expect(try await redeem(9, at: 702) == .locked)
            let burnt = try await StoredCode.read(db, userId: id)
            #expect(burnt.attempts == OneTimeCode.maxAttempts)
            try await save(1, at: 800)
            #expect(try await StoredCode.read(db, userId: id) == burnt)
            #expect(try await redeem(1, at: 801) == .locked)

            // Used: stays used, and is not renewed.
            try await save(2, at: 1_000)
            #expect(C.isRedeemed(try await redeem(2, at: 1_001, effect: .resetPassword(hash: "new"))))
            let used = try await StoredCode.read(db, userId: id)
            #expect(used.usedAt == C.at(1_001).timeIntervalSince1970)
            try await save(2, at: 1_100)
            #expect(try await StoredCode.read(db, userId: id) == used)
            #expect(try await redeem(2, at: 1_101) == .invalid)
            await db.close()
        }

        // MARK: redeemCode outcomes

        @Test("redeemCode is invalid for no code, another purpose, another user, another address or a used code", arguments: TestStore.available)
        func invalidOutcomes(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "holder@example.com")
            let other = try await C.createUser(db, "other@example.com")
            func redeem(_ purpose: CodePurpose = .passwordReset, user: Int64, emailKey: String?, at seconds: TimeInterval = 1,
                        effect: CodeEffect = .resetPassword(hash: "new")) async throws -> CodeRedemption {
                try await db.redeemCode(purpose: purpose, userId: user, emailKey: emailKey, now: C.at(seconds),
                                        matches: C.presenting(1), effect: effect)
            }
            #expect(try await redeem(user: id, emailKey: "holder@example.com") == .invalid)
            try await db.storeCode(C.code(.passwordReset, userId: id, email: "holder@example.com", hash: 1))
            #expect(try await redeem(.verifyEmail, user: id, emailKey: "holder@example.com", effect: .checkOnly) == .invalid)
            #expect(try await redeem(user: other, emailKey: "other@example.com") == .invalid)
            #expect(try await redeem(user: other, emailKey: "holder@example.com") == .invalid)
            // Another address: refused without counting a try (the code was not even compared).
            #expect(try await redeem(user: id, emailKey: "someone.else@example.com") == .invalid)
            #expect(try await StoredCode.read(db, .passwordReset, userId: id).attempts == 0)
            #expect(try await db.user(id: id)?.password == "hash-1")

            // The right one, once.
            let redeemed = try #require(C.redeemedUser(try await redeem(user: id, emailKey: "holder@example.com")))
            #expect(redeemed.password == "new")
            #expect(try await redeem(user: id, emailKey: "holder@example.com", at: 2) == .invalid)
            #expect(try await StoredCode.read(db, .passwordReset, userId: id).usedAt == C.at(1).timeIntervalSince1970)

            // emailKey nil accepts the code whatever address it was sent to.
            try await db.storeCode(C.code(.emailChange, userId: id, email: "Fresh@Example.com", hash: 1))
            #expect(C.isRedeemed(try await redeem(.emailChange, user: id, emailKey: nil, at: 3, effect: .checkOnly)))
            await db.close()
        }

        @Test("Each wrong code counts a try; the fifth burns the code, which then refuses even the right one", arguments: TestStore.available)
        func wrongTriesLock(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "tries@example.com")
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "tries@example.com", hash: 1))
            func redeem(_ hash: UInt8, effect: CodeEffect) async throws -> CodeRedemption {
                try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "tries@example.com", now: C.at(1),
                                        matches: C.presenting(hash), effect: effect)
            }
            let session = C.session("after-lock", userId: id)
            for attempt in 1..<OneTimeCode.maxAttempts {
                #expect(try await redeem(9, effect: .verifyEmail(session: session)) == .invalid)
                #expect(try await StoredCode.read(db, userId: id).attempts == attempt)
            }
            #expect(try await redeem(9, effect: .verifyEmail(session: session)) == .locked)
            #expect(try await StoredCode.read(db, userId: id).attempts == OneTimeCode.maxAttempts)
            #expect(try await redeem(1, effect: .verifyEmail(session: session)) == .locked)
            #expect(try await redeem(1, effect: .checkOnly) == .locked)
            #expect(try await StoredCode.read(db, userId: id) == StoredCode(
                attempts: OneTimeCode.maxAttempts, usedAt: nil, expiresAt: C.at(600).timeIntervalSince1970,
                createdAt: C.t0.timeIntervalSince1970, emailKey: "tries@example.com"))
            #expect(try await !Self.isVerified(db, id))
            #expect(try await db.rows("login_sessions") == 0)
            await db.close()
        }

        @Test("A code is expired from its expiry on, without counting tries; a burnt code reports locked first", arguments: TestStore.available)
        func expiry(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "expiry@example.com")
            func redeem(_ hash: UInt8, at seconds: TimeInterval) async throws -> CodeRedemption {
                try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "expiry@example.com", now: C.at(seconds),
                                        matches: C.presenting(hash), effect: .verifyEmail(session: C.session("s\(seconds)", userId: id)))
            }
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "expiry@example.com", hash: 1, ttl: 600))
            #expect(try await redeem(1, at: 600) == .expired)
            #expect(try await redeem(1, at: 10_000) == .expired)
            #expect(try await redeem(9, at: 600) == .expired)
            #expect(try await StoredCode.read(db, userId: id).attempts == 0)
            #expect(try await StoredCode.read(db, userId: id).usedAt == nil)
            #expect(try await !Self.isVerified(db, id))
            #expect(C.isRedeemed(try await redeem(1, at: 599)))

            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "expiry@example.com", hash: 2, created: C.at(1_000), ttl: 600))
            for _ in 0..<OneTimeCode.maxAttempts { _ = try await redeem(9, at: 1_001) }
            #expect(try await redeem(2, at: 5_000) == .locked)
            await db.close()
        }

        // MARK: redeemCode effects

        @Test("verifyEmail: the right code marks the address verified, opens the session and is spent", arguments: TestStore.available)
        func effectVerifyEmail(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "verify@example.com")
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "verify@example.com", hash: 1))
            let session = C.session("verified-session", userId: id, jti: "v-jti", created: C.at(5), ttl: 900)
            let outcome = try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "verify@example.com", now: C.at(5),
                                                  matches: C.presenting(1), effect: .verifyEmail(session: session))
            let user = try #require(C.redeemedUser(outcome))
            #expect(user.id == id && user.isVerified)
            #expect(try await Self.isVerified(db, id))
            #expect(try await db.sessions(userId: id, now: C.at(5)) == [session])
            #expect(try await StoredCode.read(db, userId: id).usedAt == C.at(5).timeIntervalSince1970)

            let again = C.session("second-session", userId: id, created: C.at(6))
            #expect(try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "verify@example.com", now: C.at(6),
                                            matches: C.presenting(1), effect: .verifyEmail(session: again)) == .invalid)
            #expect(try await db.rows("login_sessions") == 1)
            await db.close()
        }

        @Test("verifyEmailContinuing rotates the caller's session instead of opening one", arguments: TestStore.available)
        func effectVerifyContinuing(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "continue@example.com")
            try await C.openSession(db, "signup-session", userId: id, jti: "old-jti", created: C.t0, ttl: 600)
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "continue@example.com", hash: 1))
            let outcome = try await db.redeemCode(
                purpose: .verifyEmail, userId: id, emailKey: "continue@example.com", now: C.at(30), matches: C.presenting(1),
                effect: .verifyEmailContinuing(sessionId: "signup-session", newJti: "new-jti", newExpiry: C.at(3_630)))
            #expect(C.redeemedUser(outcome)?.isVerified == true)
            #expect(try await Self.isVerified(db, id))
            #expect(try await StoredSession.read(db, id: "signup-session") == StoredSession(
                refreshJti: "new-jti", lastUsedAt: C.at(30).timeIntervalSince1970, expiresAt: C.at(3_630).timeIntervalSince1970,
                revokedAt: nil, revokeReason: nil))
            #expect(try await db.rows("login_sessions") == 1)
            #expect(try await db.isRefreshCurrent(sessionId: "signup-session", userId: id, jti: "new-jti", now: C.at(31)))
            #expect(try await !db.isRefreshCurrent(sessionId: "signup-session", userId: id, jti: "old-jti", now: C.at(31)))
            #expect(try await StoredCode.read(db, userId: id).usedAt == C.at(30).timeIntervalSince1970)
            await db.close()
        }

        @Test("verifyEmailContinuing is sessionEnded when the session ended (revoked, expired or another user's), changing nothing", arguments: TestStore.available)
        func effectVerifyContinuingEnded(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "ended@example.com")
            let stranger = try await C.createUser(db, "stranger@example.com")
            try await C.openSession(db, "revoked", userId: id, jti: "r-jti", created: C.t0, ttl: 600)
            try await C.openSession(db, "expired", userId: id, jti: "e-jti", created: C.t0, ttl: 20)
            try await C.openSession(db, "strangers", userId: stranger, jti: "s-jti", created: C.t0, ttl: 600)
            #expect(try await db.revokeSession(userId: id, sessionId: "revoked", now: C.at(10)))
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "ended@example.com", hash: 1))
            let before = [
                try await StoredSession.read(db, id: "revoked"), try await StoredSession.read(db, id: "expired"),
                try await StoredSession.read(db, id: "strangers"),
            ]
            for session in ["revoked", "expired", "strangers", "unknown"] {
                #expect(try await db.redeemCode(
                    purpose: .verifyEmail, userId: id, emailKey: "ended@example.com", now: C.at(30), matches: C.presenting(1),
                    effect: .verifyEmailContinuing(sessionId: session, newJti: "new-jti", newExpiry: C.at(3_600))) == .sessionEnded,
                        "session \(session)")
            }
            // Rolled back: the code unspent and untried, the address unverified, the sessions as they were.
            #expect(try await StoredCode.read(db, userId: id) == StoredCode(
                attempts: 0, usedAt: nil, expiresAt: C.at(600).timeIntervalSince1970, createdAt: C.t0.timeIntervalSince1970,
                emailKey: "ended@example.com"))
            #expect(try await !Self.isVerified(db, id))
            #expect(try await !Self.isVerified(db, stranger))
            let after = [
                try await StoredSession.read(db, id: "revoked"), try await StoredSession.read(db, id: "expired"),
                try await StoredSession.read(db, id: "strangers"),
            ]
            #expect(after == before)
            // The code still works for a verification that opens its own session.
            let fresh = C.session("fresh", userId: id, created: C.at(31))
            #expect(C.isRedeemed(try await db.redeemCode(purpose: .verifyEmail, userId: id, emailKey: "ended@example.com", now: C.at(31),
                                                         matches: C.presenting(1), effect: .verifyEmail(session: fresh))))
            #expect(try await Self.isVerified(db, id))
            await db.close()
        }

        @Test("resetPassword: the new hash, the address verified, every session of the user ended", arguments: TestStore.available)
        func effectResetPassword(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "reset@example.com", password: "old-hash")
            let bystander = try await C.createUser(db, "bystander@example.com", password: "bystander-hash")
            try await C.openSession(db, "r1", userId: id, created: C.t0)
            try await C.openSession(db, "r2", userId: id, created: C.at(1))
            try await C.openSession(db, "b1", userId: bystander, created: C.t0)
            try await db.storeCode(C.code(.passwordReset, userId: id, email: "reset@example.com", hash: 1))
            let outcome = try await db.redeemCode(purpose: .passwordReset, userId: id, emailKey: "reset@example.com", now: C.at(50),
                                                  matches: C.presenting(1), effect: .resetPassword(hash: "new-hash"))
            let user = try #require(C.redeemedUser(outcome))
            #expect(user.password == "new-hash" && user.isVerified)
            #expect(try await db.user(id: id)?.password == "new-hash")
            #expect(try await Self.isVerified(db, id))
            #expect(try await db.sessions(userId: id, now: C.at(50)).isEmpty)
            for session in ["r1", "r2"] {
                let stored = try await StoredSession.read(db, id: session)
                #expect(stored.revokedAt == C.at(50).timeIntervalSince1970 && stored.revokeReason == "password_reset")
            }
            #expect(try await db.sessions(userId: bystander, now: C.at(50)).map(\.id) == ["b1"])
            #expect(try await db.user(id: bystander)?.password == "bystander-hash")
            #expect(try await StoredCode.read(db, .passwordReset, userId: id).usedAt == C.at(50).timeIntervalSince1970)
            await db.close()
        }

        @Test("changeEmail: the code's address becomes the user's, verified, and the notice to the old address is queued", arguments: TestStore.available)
        func effectChangeEmail(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "old@example.com")
            // A cooldown of the old address (a reset mail sent to it), and one of the new address.
            #expect(try await db.queueMail(C.job(.passwordReset, userId: id, email: "old@example.com", nonce: "reset"),
                                           cooldownSubject: "old@example.com", cooldown: 60, now: C.at(1)))
            #expect(try await db.queueMail(C.job(.emailChange, userId: id, email: "New.Address@Example.com", nonce: "change"),
                                           cooldownSubject: "new.address@example.com", cooldown: 60, now: C.at(1)))
            try await db.execute("DELETE FROM mail_jobs")
            try await db.storeCode(C.code(.emailChange, userId: id, email: "New.Address@Example.com", hash: 1))
            let notice = C.job(.emailChangedNotice, userId: id, email: "old@example.com", now: C.at(5), nonce: "notice")
            let outcome = try await db.redeemCode(purpose: .emailChange, userId: id, emailKey: nil, now: C.at(5),
                                                  matches: C.presenting(1), effect: .changeEmail(notice: notice))
            let user = try #require(C.redeemedUser(outcome))
            #expect(user.email == "New.Address@Example.com" && user.emailKey == "new.address@example.com" && user.isVerified)
            #expect(try await db.user(emailKey: "new.address@example.com") == user)
            #expect(try await db.user(emailKey: "old@example.com") == nil)
            #expect(try await db.rows("mail_jobs") == 1)
            #expect(try await db.text("SELECT kind FROM mail_jobs") == "email_changed_notice")
            #expect(try await db.text("SELECT nonce FROM mail_jobs") == "notice")
            let payload = try #require(try await db.text("SELECT payload FROM mail_jobs"))
            #expect(try JSONDecoder().decode(MailJob.Payload.self, from: Data(payload.utf8)) == .init(userId: id, email: "old@example.com"))
            #expect(try await StoredCode.read(db, .emailChange, userId: id).usedAt == C.at(5).timeIntervalSince1970)
            // The old address's cooldowns go with it (a later deletion could not find them); the new one's stay.
            #expect(try await db.rows("send_cooldowns", where: "subject = 'old@example.com'") == 0)
            #expect(try await db.rows("send_cooldowns", where: "subject = 'new.address@example.com'") == 1)
            await db.close()
        }

        @Test("changeEmail to an address taken meanwhile is emailTaken: nothing changes and the code stays unspent", arguments: TestStore.available)
        func effectChangeEmailTaken(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "mover@example.com")
            try await db.storeCode(C.code(.emailChange, userId: id, email: "wanted@example.com", hash: 1))
            let taker = try await C.createUser(db, "Wanted@Example.com", password: "taker-hash")
            let before = try #require(try await db.user(id: id))
            let notice = C.job(.emailChangedNotice, userId: id, email: "mover@example.com", now: C.at(5), nonce: "notice")
            #expect(try await db.redeemCode(purpose: .emailChange, userId: id, emailKey: nil, now: C.at(5),
                                            matches: C.presenting(1), effect: .changeEmail(notice: notice)) == .emailTaken)
            #expect(try await db.user(id: id) == before)
            #expect(try await db.user(emailKey: "wanted@example.com")?.id == taker)
            #expect(try await db.rows("mail_jobs") == 0)
            #expect(try await StoredCode.read(db, .emailChange, userId: id) == StoredCode(
                attempts: 0, usedAt: nil, expiresAt: C.at(600).timeIntervalSince1970, createdAt: C.t0.timeIntervalSince1970,
                emailKey: "wanted@example.com"))
            await db.close()
        }

        @Test("checkOnly answers redeemed for the right code without spending it; a wrong one still counts", arguments: TestStore.available)
        func effectCheckOnly(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "check@example.com")
            try await db.storeCode(C.code(.passwordReset, userId: id, email: "check@example.com", hash: 1))
            func redeem(_ hash: UInt8, _ effect: CodeEffect) async throws -> CodeRedemption {
                try await db.redeemCode(purpose: .passwordReset, userId: id, emailKey: "check@example.com", now: C.at(2),
                                        matches: C.presenting(hash), effect: effect)
            }
            let user = try #require(C.redeemedUser(try await redeem(1, .checkOnly)))
            #expect(user == (try await db.user(id: id)))
            #expect(!user.isVerified && user.password == "hash-1")
            #expect(C.isRedeemed(try await redeem(1, .checkOnly)))
            #expect(try await StoredCode.read(db, .passwordReset, userId: id).usedAt == nil)
            #expect(try await redeem(9, .checkOnly) == .invalid)
            #expect(try await StoredCode.read(db, .passwordReset, userId: id).attempts == 1)
            #expect(try await db.user(id: id)?.password == "hash-1")
            // Still spendable afterwards.
            #expect(C.redeemedUser(try await redeem(1, .resetPassword(hash: "reset")))?.password == "reset")
            #expect(try await redeem(1, .checkOnly) == .invalid)
            await db.close()
        }

        // MARK: Races

        @Test("8 parallel redemptions of one right code through two pools: exactly one is redeemed", arguments: TestStore.available)
        func redemptionRace(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            let id = try await C.createUser(first, "race@example.com")
            try await first.storeCode(C.code(.verifyEmail, userId: id, email: "race@example.com", hash: 1))
            let pools: [any AuthBackend] = [first, second]
            let outcomes = try await withThrowingTaskGroup(of: CodeRedemption.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        try await pools[i % 2].redeemCode(
                            purpose: .verifyEmail, userId: id, emailKey: "race@example.com", now: C.at(1), matches: C.presenting(1),
                            effect: .verifyEmail(session: C.session("race-\(i)", userId: id, created: C.at(1))))
                    }
                }
                return try await group.reduce(into: [CodeRedemption]()) { $0.append($1) }
            }
            #expect(outcomes.filter(C.isRedeemed).count == 1)
            #expect(outcomes.filter { $0 == .invalid }.count == 7)
            #expect(try await first.rows("login_sessions") == 1)
            #expect(try await StoredCode.read(first, userId: id).usedAt == C.at(1).timeIntervalSince1970)
            #expect(try await Self.isVerified(first, id))
            await second.close()
            await first.close()
        }

        @Test("8 parallel wrong codes through two pools count exactly up to the limit", arguments: TestStore.available)
        func wrongTriesRace(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            let id = try await C.createUser(first, "guess@example.com")
            try await first.storeCode(C.code(.passwordReset, userId: id, email: "guess@example.com", hash: 1))
            let pools: [any AuthBackend] = [first, second]
            let outcomes = try await withThrowingTaskGroup(of: CodeRedemption.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        try await pools[i % 2].redeemCode(purpose: .passwordReset, userId: id, emailKey: "guess@example.com", now: C.at(1),
                                                          matches: C.presenting(9), effect: .resetPassword(hash: "guessed"))
                    }
                }
                return try await group.reduce(into: [CodeRedemption]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .invalid }.count == OneTimeCode.maxAttempts - 1)
            #expect(outcomes.filter { $0 == .locked }.count == 8 - (OneTimeCode.maxAttempts - 1))
            #expect(try await StoredCode.read(first, .passwordReset, userId: id).attempts == OneTimeCode.maxAttempts)
            #expect(try await first.user(id: id)?.password == "hash-1")
            await second.close()
            await first.close()
        }
    }
}
