import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// Login sessions on every backend: logins, listing, revoking, authenticating, refresh-token
    /// rotation with reuse detection, logout, and the password change that ends every session.
    @Suite("Session storage conformance", .serialized)
    struct SessionStorageTests {
        typealias C = Conformance

        // MARK: Logins

        @Test("recordLogin opens the session and sets last_login; a hash upgrade applies only while the hash is still `from`", arguments: TestStore.available)
        func recordLogin(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "login@example.com", password: "h1")
            let first = C.session("s1", userId: id, jti: "j1", created: C.at(10), ttl: 600, userAgent: "Firefox", ip: "203.0.113.9")
            try await db.recordLogin(userId: id, session: first, upgrade: nil, now: C.at(10))
            #expect(try await db.sessions(userId: id, now: C.at(10)) == [first])
            #expect(try await StoredSession.read(db, id: "s1") == StoredSession(
                refreshJti: "j1", lastUsedAt: C.at(10).timeIntervalSince1970, expiresAt: C.at(610).timeIntervalSince1970, revokedAt: nil,
                revokeReason: nil))
            #expect(try await db.user(id: id)?.lastLogin == C.at(10))
            #expect(try await db.real("SELECT last_login FROM users WHERE id = \(id)") == C.at(10).timeIntervalSince1970)
            #expect(try await db.user(id: id)?.password == "h1")

            try await db.recordLogin(userId: id, session: C.session("s2", userId: id, created: C.at(20)), upgrade: (from: "h1", to: "h1-upgraded"),
                                     now: C.at(20))
            #expect(try await db.user(id: id)?.password == "h1-upgraded")
            #expect(try await db.user(id: id)?.lastLogin == C.at(20))

            // The hash changed since the login verified it: the upgrade does not overwrite it, the login still counts.
            try await db.recordLogin(userId: id, session: C.session("s3", userId: id, created: C.at(30)), upgrade: (from: "h1", to: "stale"),
                                     now: C.at(30))
            #expect(try await db.user(id: id)?.password == "h1-upgraded")
            #expect(try await db.user(id: id)?.lastLogin == C.at(30))
            #expect(try await db.sessions(userId: id, now: C.at(30)).map(\.id) == ["s3", "s2", "s1"])
            await db.close()
        }

        // MARK: Listing and revoking

        @Test("sessions lists the user's active sessions only, newest first", arguments: TestStore.available)
        func listActiveNewestFirst(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "lister@example.com")
            let other = try await C.createUser(db, "other@example.com")
            let old = try await C.openSession(db, "s-old", userId: id, created: C.at(0), ttl: 1_000)
            let mid = try await C.openSession(db, "s-mid", userId: id, created: C.at(10), ttl: 1_000)
            let new = try await C.openSession(db, "s-new", userId: id, created: C.at(20), ttl: 1_000)
            try await C.openSession(db, "s-revoked", userId: id, created: C.at(30), ttl: 1_000)
            try await C.openSession(db, "s-expired", userId: id, created: C.at(5), ttl: 10)
            try await C.openSession(db, "s-theirs", userId: other, created: C.at(25), ttl: 1_000)
            #expect(try await db.revokeSession(userId: id, sessionId: "s-revoked", now: C.at(35)))

            #expect(try await db.sessions(userId: id, now: C.at(40)) == [new, mid, old])
            #expect(try await db.sessions(userId: id, now: C.at(14)).map(\.id) == ["s-new", "s-mid", "s-expired", "s-old"])
            // Expired from its expiry on.
            #expect(try await db.sessions(userId: id, now: C.at(15)).map(\.id) == ["s-new", "s-mid", "s-old"])
            #expect(try await db.sessions(userId: id, now: C.at(1_000)).map(\.id) == ["s-new", "s-mid"])
            #expect(try await db.sessions(userId: other, now: C.at(40)).map(\.id) == ["s-theirs"])
            #expect(try await db.sessions(userId: other + 100, now: C.at(40)).isEmpty)
            await db.close()
        }

        @Test("revokeSession ends one active session of the user: false when unknown, ended, expired or someone else's", arguments: TestStore.available)
        func revokeOne(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "revoker@example.com")
            let other = try await C.createUser(db, "other@example.com")
            try await C.openSession(db, "mine", userId: id, ttl: 600)
            try await C.openSession(db, "kept", userId: id, ttl: 600)
            try await C.openSession(db, "short", userId: id, ttl: 10)
            try await C.openSession(db, "theirs", userId: other, ttl: 600)

            #expect(try await db.revokeSession(userId: id, sessionId: "mine", now: C.at(20)))
            #expect(try await StoredSession.read(db, id: "mine").revokedAt == C.at(20).timeIntervalSince1970)
            #expect(try await StoredSession.read(db, id: "mine").revokeReason == "revoked")
            #expect(try await db.authenticatedUser(sessionId: "mine", userId: id, now: C.at(21)) == nil)
            #expect(try await !db.revokeSession(userId: id, sessionId: "mine", now: C.at(30)))
            #expect(try await StoredSession.read(db, id: "mine").revokedAt == C.at(20).timeIntervalSince1970, "the first end stands")

            let theirs = try await StoredSession.read(db, id: "theirs")
            #expect(try await !db.revokeSession(userId: id, sessionId: "theirs", now: C.at(30)))
            #expect(try await StoredSession.read(db, id: "theirs") == theirs)
            #expect(try await !db.revokeSession(userId: id, sessionId: "unknown", now: C.at(30)))
            #expect(try await !db.revokeSession(userId: id, sessionId: "short", now: C.at(30)))
            #expect(try await StoredSession.read(db, id: "short").revokedAt == nil)
            #expect(try await db.sessions(userId: id, now: C.at(30)).map(\.id) == ["kept"])
            #expect(try await db.sessions(userId: other, now: C.at(30)).map(\.id) == ["theirs"])
            await db.close()
        }

        @Test("revokeAllSessions ends every session of the user that is still open, and no one else's", arguments: TestStore.available)
        func revokeAll(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "everything@example.com")
            let other = try await C.createUser(db, "other@example.com")
            for i in 0..<3 { try await C.openSession(db, "a\(i)", userId: id, created: C.at(Double(i)), ttl: 600) }
            try await C.openSession(db, "ended", userId: id, ttl: 600)
            #expect(try await db.revokeSession(userId: id, sessionId: "ended", now: C.at(5)))
            try await C.openSession(db, "theirs", userId: other, ttl: 600)

            #expect(try await db.revokeAllSessions(userId: id, now: C.at(50)) == 3)
            for i in 0..<3 {
                let stored = try await StoredSession.read(db, id: "a\(i)")
                #expect(stored.revokedAt == C.at(50).timeIntervalSince1970 && stored.revokeReason == "logout_all")
            }
            // An ended session keeps its own end.
            #expect(try await StoredSession.read(db, id: "ended").revokedAt == C.at(5).timeIntervalSince1970)
            #expect(try await StoredSession.read(db, id: "ended").revokeReason == "revoked")
            #expect(try await db.sessions(userId: id, now: C.at(50)).isEmpty)
            #expect(try await db.authenticatedUser(sessionId: "a0", userId: id, now: C.at(51)) == nil)
            #expect(try await db.sessions(userId: other, now: C.at(50)).map(\.id) == ["theirs"])
            #expect(try await db.revokeAllSessions(userId: id, now: C.at(60)) == 0)
            #expect(try await db.revokeAllSessions(userId: other + 100, now: C.at(60)) == 0)
            await db.close()
        }

        @Test("revokeAllSessions counts only the sessions that were active (an expired one is not)", arguments: TestStore.available)
        func revokeAllCountsActiveOnly(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "count@example.com")
            try await C.openSession(db, "active-1", userId: id, ttl: 600)
            try await C.openSession(db, "active-2", userId: id, ttl: 600)
            try await C.openSession(db, "expired", userId: id, ttl: 10)
            #expect(try await db.sessions(userId: id, now: C.at(50)).count == 2)
            // The protocol: "Ends every active session of the user; returns how many."
            #expect(try await db.revokeAllSessions(userId: id, now: C.at(50)) == 2)
            await db.close()
        }

        // MARK: Authenticating

        @Test("authenticatedUser answers the user of an active session, nil after revocation or expiry or for another user", arguments: TestStore.available)
        func authenticatedUser(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "auth@example.com")
            let other = try await C.createUser(db, "other@example.com")
            try await C.openSession(db, "live", userId: id, ttl: 600)
            try await C.openSession(db, "theirs", userId: other, ttl: 600)

            let user = try #require(try await db.authenticatedUser(sessionId: "live", userId: id, now: C.at(1))?.user)
            #expect(user == (try await db.user(id: id)))
            // Always the current row: a change shows at once.
            _ = try await db.updateNames(userId: id, firstName: "Renamed", lastName: nil)
            #expect(try await db.authenticatedUser(sessionId: "live", userId: id, now: C.at(2))?.user.firstName == "Renamed")

            #expect(try await db.authenticatedUser(sessionId: "live", userId: other, now: C.at(1)) == nil)
            #expect(try await db.authenticatedUser(sessionId: "theirs", userId: id, now: C.at(1)) == nil)
            #expect(try await db.authenticatedUser(sessionId: "unknown", userId: id, now: C.at(1)) == nil)
            #expect(try await db.authenticatedUser(sessionId: "live", userId: id, now: C.at(599)) != nil)
            #expect(try await db.authenticatedUser(sessionId: "live", userId: id, now: C.at(600)) == nil)
            #expect(try await db.revokeSession(userId: id, sessionId: "live", now: C.at(10)))
            #expect(try await db.authenticatedUser(sessionId: "live", userId: id, now: C.at(11)) == nil)
            #expect(try await db.authenticatedUser(sessionId: "theirs", userId: other, now: C.at(11))?.user.id == other)
            // An inactive user's session answers the user as stored: the caller refuses it (`userInactive`).
            let inactive = try await C.createUser(db, "inactive@example.com", active: false)
            try await C.openSession(db, "disabled", userId: inactive, ttl: 600)
            let disabled = try #require(try await db.authenticatedUser(sessionId: "disabled", userId: inactive, now: C.at(1))?.user)
            #expect(disabled.id == inactive && !disabled.isActive)
            await db.close()
        }

        @Test("isRefreshCurrent is true only for the current jti of an active session of an active user", arguments: TestStore.available)
        func isRefreshCurrent(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "refresh@example.com")
            let other = try await C.createUser(db, "other@example.com")
            let inactive = try await C.createUser(db, "inactive@example.com", active: false)
            try await C.openSession(db, "s", userId: id, jti: "j1", ttl: 600)
            try await C.openSession(db, "disabled", userId: inactive, jti: "d1", ttl: 600)

            #expect(try await db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j1", now: C.at(1)))
            #expect(try await !db.isRefreshCurrent(sessionId: "s", userId: other, jti: "j1", now: C.at(1)))
            #expect(try await !db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j0", now: C.at(1)))
            #expect(try await !db.isRefreshCurrent(sessionId: "nope", userId: id, jti: "j1", now: C.at(1)))
            #expect(try await !db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j1", now: C.at(600)))
            #expect(try await !db.isRefreshCurrent(sessionId: "disabled", userId: inactive, jti: "d1", now: C.at(1)))

            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j1", newJti: "j2", newExpiry: C.at(700), level: .password, now: C.at(2)) == .rotated(.password))
            #expect(try await !db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j1", now: C.at(3)))
            #expect(try await db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j2", now: C.at(650)))
            #expect(try await db.revokeSession(userId: id, sessionId: "s", now: C.at(4)))
            #expect(try await !db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j2", now: C.at(5)))
            await db.close()
        }

        // MARK: Rotation

        @Test("rotate replaces the current jti; a stale one is reuse and ends the session", arguments: TestStore.available)
        func rotateAndReuse(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "rotate@example.com")
            try await C.openSession(db, "s", userId: id, jti: "j1", ttl: 600)

            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j1", newJti: "j2", newExpiry: C.at(1_000), level: .password, now: C.at(100)) == .rotated(.password))
            #expect(try await StoredSession.read(db, id: "s") == StoredSession(
                refreshJti: "j2", lastUsedAt: C.at(100).timeIntervalSince1970, expiresAt: C.at(1_000).timeIntervalSince1970, revokedAt: nil,
                revokeReason: nil))
            // The new expiry holds: the session outlives its first one.
            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j2", newJti: "j3", newExpiry: C.at(1_500), level: .password, now: C.at(800)) == .rotated(.password))

            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j1", newJti: "x", newExpiry: C.at(2_000), level: .password, now: C.at(900))
                    == .reuseDetected(userId: id))
            #expect(try await StoredSession.read(db, id: "s") == StoredSession(
                refreshJti: "j3", lastUsedAt: C.at(800).timeIntervalSince1970, expiresAt: C.at(1_500).timeIntervalSince1970,
                revokedAt: C.at(900).timeIntervalSince1970, revokeReason: "refresh_reuse"))
            // Ended: even the current jti no longer rotates, nor is reuse reported again.
            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j3", newJti: "j4", newExpiry: C.at(2_000), level: .password, now: C.at(901)) == .inactive)
            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j2", newJti: "j4", newExpiry: C.at(2_000), level: .password, now: C.at(901)) == .inactive)
            #expect(try await StoredSession.read(db, id: "s").revokedAt == C.at(900).timeIntervalSince1970)
            #expect(try await db.sessions(userId: id, now: C.at(901)).isEmpty)
            await db.close()
        }

        @Test("PostgreSQL runs the per-request session statements prepared, with the same answers",
              arguments: TestStore.available.filter { $0 == .postgres })
        func preparedOnPostgres(store: TestStore) async throws {
            let fresh = try await store.openFresh()
            guard let server = fresh as? PostgresBackend else { throw StorageError.notMigrated(fresh.displayName) }
            // One connection, so that its prepared statements are the ones this test sees.
            let db = try BackendServicesScope.running(try await PostgresBackend.open(server.location, poolSize: 1, listenForJobs: false, logger: C.logger()))
            await fresh.close()
            let id = try await C.createUser(db, "prepared@example.com")
            try await C.openSession(db, "s", userId: id, jti: "j1", ttl: 600)
            for _ in 0..<2 {
                #expect(try await db.authenticatedUser(sessionId: "s", userId: id, now: C.at(1))?.user.id == id)
                #expect(try await db.authenticatedUser(sessionId: "s", userId: id + 1, now: C.at(1)) == nil)
                #expect(try await db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j1", now: C.at(1)))
            }
            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j1", newJti: "j2", newExpiry: C.at(900), level: .password, now: C.at(2)) == .rotated(.password))
            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j2", newJti: "j3", newExpiry: C.at(900), level: .password, now: C.at(3)) == .rotated(.password))
            #expect(try await !db.isRefreshCurrent(sessionId: "s", userId: id, jti: "j1", now: C.at(4)))
            // A stale jti goes past the one-statement rotation to the locked check.
            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j1", newJti: "x", newExpiry: C.at(900), level: .password, now: C.at(5))
                    == .reuseDetected(userId: id))
            try await C.openSession(db, "t", userId: id, jti: "k1", ttl: 600)
            #expect(try await db.endSession(sessionId: "t", userId: id, presentedJti: "k1", now: C.at(6)) == .done)
            #expect(try await db.endSession(sessionId: "t", userId: id, presentedJti: "k1", now: C.at(7)) == .inactive)
            let names = try await db.query(SQLStatement("SELECT name FROM pg_prepared_statements ORDER BY name")).map { try $0.text("name") }
            #expect(Set(names).isSuperset(of: ["authenticated_user", "current_refresh", "rotate_if_current", "locked_session", "end_if_current"]), "\(names)")
            await db.close()
        }

        @Test("rotate is inactive, changing nothing, for another user's, an unknown, an expired session or an inactive user", arguments: TestStore.available)
        func rotateInactive(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "owner@example.com")
            let other = try await C.createUser(db, "other@example.com")
            let inactive = try await C.createUser(db, "inactive@example.com", active: false)
            try await C.openSession(db, "s", userId: id, jti: "j1", ttl: 600)
            try await C.openSession(db, "short", userId: id, jti: "k1", ttl: 10)
            try await C.openSession(db, "disabled", userId: inactive, jti: "d1", ttl: 600)
            let before = try await StoredSession.read(db, id: "s")

            // The session row, not the token, says whose it is: current or stale jti alike.
            #expect(try await db.rotate(sessionId: "s", userId: other, presentedJti: "j1", newJti: "evil", newExpiry: C.at(5_000), level: .password, now: C.at(1)) == .inactive)
            #expect(try await db.rotate(sessionId: "s", userId: other, presentedJti: "stale", newJti: "evil", newExpiry: C.at(5_000), level: .password, now: C.at(1)) == .inactive)
            #expect(try await StoredSession.read(db, id: "s") == before)
            #expect(try await db.rotate(sessionId: "unknown", userId: id, presentedJti: "j1", newJti: "n", newExpiry: C.at(5_000), level: .password, now: C.at(1)) == .inactive)

            let short = try await StoredSession.read(db, id: "short")
            #expect(try await db.rotate(sessionId: "short", userId: id, presentedJti: "k1", newJti: "k2", newExpiry: C.at(5_000), level: .password, now: C.at(10)) == .inactive)
            #expect(try await db.rotate(sessionId: "short", userId: id, presentedJti: "stale", newJti: "k2", newExpiry: C.at(5_000), level: .password, now: C.at(10)) == .inactive)
            #expect(try await StoredSession.read(db, id: "short") == short)

            let disabled = try await StoredSession.read(db, id: "disabled")
            #expect(try await db.rotate(sessionId: "disabled", userId: inactive, presentedJti: "d1", newJti: "d2", newExpiry: C.at(5_000), level: .password, now: C.at(1)) == .inactive)
            #expect(try await StoredSession.read(db, id: "disabled") == disabled)

            // The owner's token still works.
            #expect(try await db.rotate(sessionId: "s", userId: id, presentedJti: "j1", newJti: "j2", newExpiry: C.at(700), level: .password, now: C.at(2)) == .rotated(.password))
            await db.close()
        }

        @Test("8 parallel rotations presenting one jti through two pools: one rotates, one is reuse, the rest inactive; the session ends", arguments: TestStore.available)
        func rotateRace(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            let id = try await C.createUser(first, "racer@example.com")
            try await C.openSession(first, "s", userId: id, jti: "j0", ttl: 600)
            let pools: [any AuthBackend] = [first, second]
            let outcomes = try await withThrowingTaskGroup(of: (Int, SessionChange).self) { group in
                for i in 0..<8 {
                    group.addTask {
                        (i, try await pools[i % 2].rotate(sessionId: "s", userId: id, presentedJti: "j0", newJti: "new-\(i)",
                                                          newExpiry: C.at(1_000), level: .password, now: C.at(10)))
                    }
                }
                return try await group.reduce(into: [(Int, SessionChange)]()) { $0.append($1) }
            }
            let winners = outcomes.filter { $0.1 == .rotated(.password) }.map(\.0)
            #expect(winners.count == 1)
            #expect(outcomes.filter { $0.1 == .reuseDetected(userId: id) }.count == 1)
            #expect(outcomes.filter { $0.1 == .inactive }.count == 6)
            // Consistent: the winner's jti, ended as a reuse, no second session.
            let stored = try await StoredSession.read(first, id: "s")
            #expect(stored.refreshJti == winners.first.map { "new-\($0)" })
            #expect(stored.revokeReason == "refresh_reuse" && stored.revokedAt == C.at(10).timeIntervalSince1970)
            #expect(stored.expiresAt == C.at(1_000).timeIntervalSince1970)
            #expect(try await first.rows("login_sessions") == 1)
            #expect(try await first.sessions(userId: id, now: C.at(11)).isEmpty)
            await second.close()
            await first.close()
        }

        // MARK: Logout

        @Test("endSession ends the session for its current jti, reports a stale one as reuse, and is inactive otherwise", arguments: TestStore.available)
        func endSession(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "bye@example.com")
            let other = try await C.createUser(db, "other@example.com")
            try await C.openSession(db, "s", userId: id, jti: "j1", ttl: 600)
            try await C.openSession(db, "replayed", userId: id, jti: "r1", ttl: 600)
            try await C.openSession(db, "theirs", userId: other, jti: "t1", ttl: 600)

            #expect(try await db.endSession(sessionId: "s", userId: id, presentedJti: "j1", now: C.at(5)) == .done)
            #expect(try await StoredSession.read(db, id: "s") == StoredSession(
                refreshJti: "j1", lastUsedAt: C.t0.timeIntervalSince1970, expiresAt: C.at(600).timeIntervalSince1970,
                revokedAt: C.at(5).timeIntervalSince1970, revokeReason: "logout"))
            #expect(try await db.endSession(sessionId: "s", userId: id, presentedJti: "j1", now: C.at(6)) == .inactive)
            #expect(try await StoredSession.read(db, id: "s").revokedAt == C.at(5).timeIntervalSince1970)

            #expect(try await db.endSession(sessionId: "replayed", userId: id, presentedJti: "r0", now: C.at(7)) == .reuseDetected(userId: id))
            #expect(try await StoredSession.read(db, id: "replayed").revokeReason == "refresh_reuse")
            #expect(try await StoredSession.read(db, id: "replayed").revokedAt == C.at(7).timeIntervalSince1970)

            let theirs = try await StoredSession.read(db, id: "theirs")
            #expect(try await db.endSession(sessionId: "theirs", userId: id, presentedJti: "t1", now: C.at(8)) == .inactive)
            #expect(try await db.endSession(sessionId: "theirs", userId: id, presentedJti: "stale", now: C.at(8)) == .inactive)
            #expect(try await StoredSession.read(db, id: "theirs") == theirs)
            #expect(try await db.endSession(sessionId: "unknown", userId: id, presentedJti: "j1", now: C.at(8)) == .inactive)
            #expect(try await db.endSession(sessionId: "theirs", userId: other, presentedJti: "t1", now: C.at(600)) == .inactive, "expired")
            #expect(try await StoredSession.read(db, id: "theirs") == theirs)
            await db.close()
        }

        // MARK: Password change

        @Test("changePassword replaces the hash, ends every session of the user and opens the new one", arguments: TestStore.available)
        func changePassword(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "changer@example.com", password: "h1")
            let other = try await C.createUser(db, "other@example.com", password: "o1")
            try await C.openSession(db, "caller", userId: id, ttl: 600)
            try await C.openSession(db, "phone", userId: id, ttl: 600)
            try await C.openSession(db, "theirs", userId: other, ttl: 600)
            let replacement = C.session("replacement", userId: id, jti: "r1", created: C.at(30), ttl: 600)

            #expect(try await db.changePassword(userId: id, from: "h1", to: "h2", callerSession: "caller", session: replacement, now: C.at(30)))
            #expect(try await db.user(id: id)?.password == "h2")
            #expect(try await db.sessions(userId: id, now: C.at(30)) == [replacement])
            for ended in ["caller", "phone"] {
                let stored = try await StoredSession.read(db, id: ended)
                #expect(stored.revokedAt == C.at(30).timeIntervalSince1970 && stored.revokeReason == "password_change")
            }
            #expect(try await db.isRefreshCurrent(sessionId: "replacement", userId: id, jti: "r1", now: C.at(31)))
            #expect(try await db.sessions(userId: other, now: C.at(30)).map(\.id) == ["theirs"])
            #expect(try await db.user(id: other)?.password == "o1")
            await db.close()
        }

        @Test("changePassword is false and changes nothing when the hash changed or the caller's session is not active", arguments: TestStore.available)
        func changePasswordRefused(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "refused@example.com", password: "h1")
            let other = try await C.createUser(db, "other@example.com")
            try await C.openSession(db, "caller", userId: id, ttl: 600)
            try await C.openSession(db, "revoked", userId: id, ttl: 600)
            try await C.openSession(db, "short", userId: id, ttl: 10)
            try await C.openSession(db, "theirs", userId: other, ttl: 600)
            #expect(try await db.revokeSession(userId: id, sessionId: "revoked", now: C.at(1)))
            let sessionsBefore = try await db.sessions(userId: id, now: C.at(20))
            let rowsBefore = try await db.rows("login_sessions")
            #expect(sessionsBefore.map(\.id) == ["caller"])

            let cases: [(String, String)] = [("stale-hash", "caller"), ("h1", "revoked"), ("h1", "short"), ("h1", "theirs"), ("h1", "unknown")]
            for (n, (from, caller)) in cases.enumerated() {
                let attempt = C.session("attempt-\(n)", userId: id, created: C.at(20), ttl: 600)
                #expect(try await !db.changePassword(userId: id, from: from, to: "h2", callerSession: caller, session: attempt, now: C.at(20)),
                        "from \(from), caller \(caller)")
            }
            #expect(try await db.user(id: id)?.password == "h1")
            #expect(try await db.sessions(userId: id, now: C.at(20)) == sessionsBefore)
            #expect(try await db.rows("login_sessions") == rowsBefore)
            #expect(try await db.rows("login_sessions", where: "revoke_reason = 'password_change'") == 0)
            await db.close()
        }

        @Test("Two parallel password changes from one hash through two pools: exactly one wins", arguments: TestStore.available)
        func changePasswordRace(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            let id = try await C.createUser(first, "twice@example.com", password: "h1")
            try await C.openSession(first, "caller", userId: id, ttl: 600)
            let pools: [any AuthBackend] = [first, second]
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for i in 0..<4 {
                    group.addTask {
                        (i, try await pools[i % 2].changePassword(userId: id, from: "h1", to: "h2-\(i)", callerSession: "caller",
                                                                   session: C.session("new-\(i)", userId: id, created: C.at(5)), now: C.at(5)))
                    }
                }
                return try await group.reduce(into: [(Int, Bool)]()) { $0.append($1) }
            }
            let winners = results.filter(\.1).map(\.0)
            #expect(winners.count == 1)
            let winner = try #require(winners.first)
            #expect(try await first.user(id: id)?.password == "h2-\(winner)")
            #expect(try await first.sessions(userId: id, now: C.at(5)).map(\.id) == ["new-\(winner)"])
            #expect(try await first.rows("login_sessions") == 2)
            await second.close()
            await first.close()
        }
    }
}
