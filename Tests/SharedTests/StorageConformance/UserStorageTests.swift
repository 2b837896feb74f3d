import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// `AuthStore`'s user operations on every backend: lookups, creation, signup's all-or-nothing
    /// transaction, name updates.
    @Suite("User storage conformance", .serialized)
    struct UserStorageTests {
        typealias C = Conformance

        @Test("user(emailKey:) and user(id:) find the stored user, and answer nil for unknown ones", arguments: TestStore.available)
        func lookups(store: TestStore) async throws {
            let db = try await store.openFresh()
            let created = try await db.createUser(C.user("Ada.Lovelace@Example.com")).created()
            let id = try #require(created.id)
            #expect(try await db.user(emailKey: "ada.lovelace@example.com") == created)
            #expect(try await db.user(id: id) == created)
            // The key is the lower-cased address: the typed case is no key.
            #expect(try await db.user(emailKey: "Ada.Lovelace@Example.com") == nil)
            #expect(try await db.user(emailKey: "nobody@example.com") == nil)
            #expect(try await db.user(id: id + 1) == nil)
            #expect(try await db.user(id: -1) == nil)
            await db.close()
        }

        @Test("createUser assigns ids and stores every field, dates as Unix seconds", arguments: TestStore.available)
        func createRoundTrip(store: TestStore) async throws {
            let db = try await store.openFresh()
            let joined = Date(timeIntervalSince1970: 1_700_000_000.25)
            let login = Date(timeIntervalSince1970: 1_700_000_500.5)
            let full = User(email: "Grace.Hopper@Example.COM", password: "$argon2id$v=19$m=256,t=1,p=1$c2FsdA$aGFzaA",
                            firstName: "Grace", lastName: "Hopper", isActive: false, isStaff: true, isSuperuser: true,
                            isVerified: true, dateJoined: joined, lastLogin: login)
            let created = try await db.createUser(full).created()
            let id = try #require(created.id)
            var expected = full
            expected.id = id
            #expect(created == expected)
            #expect(try await db.user(id: id) == expected)
            #expect(created.emailKey == "grace.hopper@example.com")
            #expect(try await db.text("SELECT email FROM users WHERE id = \(id)") == "Grace.Hopper@Example.COM")
            #expect(try await db.real("SELECT date_joined FROM users WHERE id = \(id)") == 1_700_000_000.25)
            #expect(try await db.real("SELECT last_login FROM users WHERE id = \(id)") == 1_700_000_500.5)

            // Defaults the other way round, and no last login.
            let plain = try await db.createUser(User(email: "plain@example.com", password: "h", dateJoined: C.t0)).created()
            let plainId = try #require(plain.id)
            #expect(plainId != id)
            let stored = try #require(try await db.user(id: plainId))
            #expect(stored.isActive && !stored.isStaff && !stored.isSuperuser && !stored.isVerified)
            #expect(stored.firstName == "" && stored.lastName == "")
            #expect(stored.lastLogin == nil)
            #expect(try await db.real("SELECT last_login FROM users WHERE id = \(plainId)") == nil)
            #expect(stored.dateJoined == C.t0)
            #expect(try await db.rows("users") == 2)
            await db.close()
        }

        @Test("createUser refuses an address taken in another case with emailTaken, storing nothing", arguments: TestStore.available)
        func createTaken(store: TestStore) async throws {
            let db = try await store.openFresh()
            let first = try await db.createUser(C.user("taken@example.com", password: "first")).created()
            #expect(try await db.createUser(C.user("Taken@EXAMPLE.com", password: "second")).isEmailTaken)
            #expect(try await db.rows("users") == 1)
            #expect(try await db.user(emailKey: "taken@example.com") == first)
            await db.close()
        }

        @Test("Signup stores the user, its session, its verification job and the send cooldown together", arguments: TestStore.available)
        func signupStoresAll(store: TestStore) async throws {
            let db = try await store.openFresh()
            let now = C.at(10)
            let draft = LoginSession.Draft(id: "signup-session", refreshJti: "signup-jti", createdAt: now,
                                           expiresAt: now.addingTimeInterval(3_600), userAgent: "browser", ip: "192.0.2.7")
            let (user, session) = try await db.createUserQueueingVerification(
                C.user("New.User@Example.com", joined: now), session: draft,
                mail: MailJob.Draft(kind: .verifyEmail, email: "New.User@Example.com", nonce: "signup-nonce"), now: now).created()
            let id = try #require(user.id)
            #expect(try await db.user(id: id) == user)
            #expect(session == draft.session(for: id))
            #expect(try await db.sessions(userId: id, now: now) == [draft.session(for: id)])
            #expect(try await db.rows("login_sessions") == 1)

            #expect(try await db.rows("mail_jobs") == 1)
            #expect(try await db.text("SELECT kind FROM mail_jobs") == "verify_email")
            #expect(try await db.text("SELECT state FROM mail_jobs") == "queued")
            #expect(try await db.text("SELECT nonce FROM mail_jobs") == "signup-nonce")
            #expect(try await db.real("SELECT run_at FROM mail_jobs") == now.timeIntervalSince1970)
            let payload = try #require(try await db.text("SELECT payload FROM mail_jobs"))
            #expect(try JSONDecoder().decode(MailJob.Payload.self, from: Data(payload.utf8)) == .init(userId: id, email: "New.User@Example.com"))

            #expect(try await db.rows("send_cooldowns") == 1)
            #expect(try await db.text("SELECT purpose FROM send_cooldowns") == "verify_email")
            #expect(try await db.text("SELECT subject FROM send_cooldowns") == "new.user@example.com")
            #expect(try await db.real("SELECT last_sent_at FROM send_cooldowns") == now.timeIntervalSince1970)
            // The cooldown holds for the address's key: another verification mail waits for it.
            #expect(try await db.cooldownRemaining(kind: .verifyEmail, cooldownSubject: "new.user@example.com", cooldown: 60, now: now) == 60)
            #expect(try await !db.queueMail(C.job(.verifyEmail, userId: id, email: user.email, now: C.at(30)),
                                            cooldownSubject: "new.user@example.com", cooldown: 60, now: C.at(30)))
            await db.close()
        }

        @Test("Signup on a taken address is emailTaken and leaves no user, session, job or cooldown behind", arguments: TestStore.available)
        func signupTaken(store: TestStore) async throws {
            let db = try await store.openFresh()
            _ = try await db.createUser(C.user("owner@example.com")).created()
            let now = C.at(100)
            let draft = LoginSession.Draft(id: "intruder", refreshJti: "j", createdAt: now, expiresAt: now.addingTimeInterval(60),
                                           userAgent: "", ip: "")
            #expect(try await db.createUserQueueingVerification(
                C.user("OWNER@example.com", joined: now), session: draft,
                mail: MailJob.Draft(kind: .verifyEmail, email: "OWNER@example.com", nonce: "n"), now: now).isEmailTaken)
            #expect(try await db.rows("users") == 1)
            #expect(try await db.rows("login_sessions") == 0)
            #expect(try await db.rows("mail_jobs") == 0)
            #expect(try await db.rows("send_cooldowns") == 0)
            #expect(try await db.cooldownRemaining(kind: .verifyEmail, cooldownSubject: "owner@example.com", cooldown: 60, now: now) == 0)
            await db.close()
        }

        @Test("A second signup of a signed-up address changes nothing of the first one's rows", arguments: TestStore.available)
        func signupTwice(store: TestStore) async throws {
            let db = try await store.openFresh()
            func signup(_ email: String, session: String, at now: Date) async throws -> Insertion<(user: User, session: LoginSession)> {
                try await db.createUserQueueingVerification(
                    C.user(email, joined: now),
                    session: LoginSession.Draft(id: session, refreshJti: "j-\(session)", createdAt: now, expiresAt: now.addingTimeInterval(600),
                                                userAgent: "", ip: ""),
                    mail: MailJob.Draft(kind: .verifyEmail, email: email, nonce: session), now: now)
            }
            let first = try await signup("twice@example.com", session: "first", at: C.t0).created()
            #expect(try await signup("Twice@Example.com", session: "second", at: C.at(120)).isEmailTaken)
            #expect(try await db.rows("users") == 1)
            #expect(try await db.rows("login_sessions") == 1)
            #expect(try await db.rows("login_sessions", where: "id = 'second'") == 0)
            #expect(try await db.rows("mail_jobs") == 1)
            // The cooldown was not restarted by the refused signup.
            #expect(try await db.real("SELECT last_sent_at FROM send_cooldowns") == C.t0.timeIntervalSince1970)
            #expect(try await db.user(emailKey: "twice@example.com") == first.user)
            await db.close()
        }

        @Test("updateNames sets the given names, leaves a nil one as it was, and answers nil for an unknown user", arguments: TestStore.available)
        func updateNames(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "names@example.com")
            let other = try await C.createUser(db, "bystander@example.com")

            let both = try #require(try await db.updateNames(userId: id, firstName: "Ada", lastName: "Byron"))
            #expect(both.firstName == "Ada" && both.lastName == "Byron")
            let onlyLast = try #require(try await db.updateNames(userId: id, firstName: nil, lastName: "Lovelace"))
            #expect(onlyLast.firstName == "Ada" && onlyLast.lastName == "Lovelace")
            let onlyFirst = try #require(try await db.updateNames(userId: id, firstName: "Augusta", lastName: nil))
            #expect(onlyFirst.firstName == "Augusta" && onlyFirst.lastName == "Lovelace")
            let neither = try #require(try await db.updateNames(userId: id, firstName: nil, lastName: nil))
            #expect(neither == onlyFirst)
            // Empty is a value, not "leave it".
            let cleared = try #require(try await db.updateNames(userId: id, firstName: "", lastName: nil))
            #expect(cleared.firstName == "" && cleared.lastName == "Lovelace")
            #expect(try await db.user(id: id) == cleared)
            // Every other field is untouched, and so is every other user.
            #expect(cleared.email == "names@example.com" && cleared.password == "hash-1" && cleared.dateJoined == C.t0)
            #expect(try await db.user(id: other)?.firstName == "")
            #expect(try await db.user(id: other)?.lastName == "")

            #expect(try await db.updateNames(userId: id + other + 100, firstName: "Ghost", lastName: "User") == nil)
            #expect(try await db.rows("users", where: "first_name = 'Ghost'") == 0)
            await db.close()
        }
    }
}
