import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// Purging, the audit trail and the schema operations of `AuthBackend` on every backend.
    @Suite("Housekeeping storage conformance", .serialized)
    struct HousekeepingStorageTests {
        typealias C = Conformance

        static let day: TimeInterval = 86_400
        /// The default grace of a day, audit events kept for a week.
        static let week = RetentionPolicy(grace: day, auditEvents: 7 * day, purgeInterval: 3_600)

        @Test("purgeExpired deletes expired sessions, sessions ended over a day ago, codes and cooldowns a day past, audit events past retention, MFA challenges a day past", arguments: TestStore.available)
        func purgeExpired(store: TestStore) async throws {
            let db = try await store.openFresh()
            let now = C.at(30 * Self.day)
            let day = Self.day
            let id = try await C.createUser(db, "purge@example.com")

            // Sessions.
            try await C.openSession(db, "active", userId: id, created: now.addingTimeInterval(-10), ttl: 1_000)
            try await C.openSession(db, "expires-now", userId: id, created: now.addingTimeInterval(-100), ttl: 100)
            try await C.openSession(db, "expired", userId: id, created: now.addingTimeInterval(-101), ttl: 100)
            for (name, endedAgo) in [("ended-2d", 2 * day), ("ended-1d", day), ("ended-23h", day - 3_600)] {
                try await C.openSession(db, name, userId: id, created: now.addingTimeInterval(-3 * day), ttl: 10 * day)
                #expect(try await db.revokeSession(userId: id, sessionId: name, now: now.addingTimeInterval(-endedAgo)))
            }
            // Codes (one per purpose): kept for a day after their expiry.
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "purge@example.com", hash: 1,
                                          created: now.addingTimeInterval(-2 * day - 600), ttl: 600))
            try await db.storeCode(C.code(.passwordReset, userId: id, email: "purge@example.com", hash: 2,
                                          created: now.addingTimeInterval(-day - 600), ttl: 600))
            try await db.storeCode(C.code(.emailChange, userId: id, email: "new@example.com", hash: 3,
                                          created: now.addingTimeInterval(-3_600), ttl: 600))
            // Cooldowns, with the jobs they came with.
            for (subject, ago) in [("old", 2 * day), ("edge", day), ("recent", 3_600.0)] {
                #expect(try await db.queueMail(C.job(userId: id, now: now.addingTimeInterval(-ago), nonce: subject), cooldownSubject: subject, cooldown: 60,
                                               now: now.addingTimeInterval(-ago)))
            }
            // Audit events, with a retention of a week.
            for (detail, ago) in [("8d", 8 * day), ("7d", 7 * day), ("6d", 6 * day)] {
                try await db.recordEvent(AuditRecord(event: .loginFailed, userId: id, client: nil, detail: detail, at: now.addingTimeInterval(-ago)))
            }
            _ = try await db.recordHit(keys: ["old-hit"], limit: 10, period: 60, now: C.t0)
            // MFA login challenges: kept for a day after their expiry.
            try await db.createMFAChallenge(tokenHash: [1], userId: id, now: now.addingTimeInterval(-2 * day), expiresAt: now.addingTimeInterval(-2 * day + 300))
            try await db.createMFAChallenge(tokenHash: [2], userId: id, now: now.addingTimeInterval(-3_600), expiresAt: now.addingTimeInterval(-3_300))

            #expect(try await db.purgeExpired(now: now, retention: Self.week, limit: 100) == 2 + 1 + 1 + 1 + 1)
            #expect(try await db.rows("mfa_challenges") == 1)
            let sessions = try await db.integer("SELECT COUNT(*) FROM login_sessions WHERE id IN ('active', 'expires-now', 'ended-1d', 'ended-23h')")
            #expect(sessions == 4)
            #expect(try await db.rows("login_sessions") == 4)
            #expect(try await db.rows("one_time_codes") == 2)
            #expect(try await db.rows("one_time_codes", where: "purpose = 'verify_email'") == 0)
            #expect(try await db.rows("send_cooldowns") == 2)
            #expect(try await db.rows("send_cooldowns", where: "subject = 'old'") == 0)
            #expect(try await db.rows("auth_events") == 2)
            #expect(try await db.rows("auth_events", where: "detail = '8d'") == 0)
            // Not its business: users, mail jobs, throttle hits.
            #expect(try await db.rows("users") == 1)
            #expect(try await db.rows("mail_jobs") == 3)
            #expect(try await db.rows("throttle_hits") == 1)

            #expect(try await db.purgeExpired(now: now, retention: Self.week, limit: 100) == 0)
            // What is left goes in its turn.
            #expect(try await db.purgeExpired(now: now.addingTimeInterval(30 * day), retention: Self.week, limit: 100) == 4 + 2 + 2 + 2 + 1)
            #expect(try await db.rows("login_sessions") + db.rows("one_time_codes") + db.rows("send_cooldowns") + db.rows("auth_events")
                    + db.rows("mfa_challenges") == 0)
            #expect(try await db.rows("users") == 1)
            await db.close()
        }

        @Test("purgeExpired follows a shorter policy: rows ended more than its grace ago go, audit events past its retention go", arguments: TestStore.available)
        func purgeExpiredShortWindows(store: TestStore) async throws {
            let db = try await store.openFresh()
            let now = C.at(30 * Self.day)
            let policy = RetentionPolicy(grace: 120, auditEvents: 300, purgeInterval: 10)
            let id = try await C.createUser(db, "short@example.com")
            for (name, endedAgo) in [("ended-121s", 121.0), ("ended-119s", 119.0)] {
                try await C.openSession(db, name, userId: id, created: now.addingTimeInterval(-3_600), ttl: Self.day)
                #expect(try await db.revokeSession(userId: id, sessionId: name, now: now.addingTimeInterval(-endedAgo)))
            }
            try await db.storeCode(C.code(.verifyEmail, userId: id, email: "short@example.com", hash: 1,
                                          created: now.addingTimeInterval(-721), ttl: 600))
            try await db.storeCode(C.code(.passwordReset, userId: id, email: "short@example.com", hash: 2,
                                          created: now.addingTimeInterval(-719), ttl: 600))
            for (subject, ago) in [("old", 121.0), ("recent", 90.0)] {
                #expect(try await db.queueMail(C.job(userId: id, now: now.addingTimeInterval(-ago), nonce: subject), cooldownSubject: subject, cooldown: 60,
                                               now: now.addingTimeInterval(-ago)))
            }
            for (detail, ago) in [("301s", 301.0), ("299s", 299.0)] {
                try await db.recordEvent(AuditRecord(event: .loginFailed, userId: id, client: nil, detail: detail, at: now.addingTimeInterval(-ago)))
            }
            try await db.createMFAChallenge(tokenHash: [1], userId: id, now: now.addingTimeInterval(-500), expiresAt: now.addingTimeInterval(-121))
            try await db.createMFAChallenge(tokenHash: [2], userId: id, now: now.addingTimeInterval(-500), expiresAt: now.addingTimeInterval(-119))

            // With the default day of grace nothing here is old enough but the audit events.
            #expect(try await db.purgeExpired(now: now, retention: .default, limit: 100) == 0)
            #expect(try await db.purgeExpired(now: now, retention: policy, limit: 100) == 5)
            #expect(try await db.text("SELECT id FROM login_sessions") == "ended-119s")
            #expect(try await db.rows("one_time_codes") == 1)
            #expect(try await db.rows("one_time_codes", where: "purpose = 'password_reset'") == 1)
            #expect(try await db.text("SELECT subject FROM send_cooldowns") == "recent")
            #expect(try await db.text("SELECT detail FROM auth_events") == "299s")
            #expect(try await db.rows("mfa_challenges") == 1)
            await db.close()
        }

        @Test("purgeExpired deletes at most its limit of rows from each table, the rest in the next rounds", arguments: TestStore.available)
        func purgeExpiredLimit(store: TestStore) async throws {
            let db = try await store.openFresh()
            let now = C.at(30 * Self.day)
            let id = try await C.createUser(db, "limited@example.com")
            for i in 0..<3 {
                try await db.recordEvent(AuditRecord(event: .loginFailed, userId: id, client: nil, detail: "old-\(i)", at: now.addingTimeInterval(-8 * Self.day)))
            }
            try await db.recordEvent(AuditRecord(event: .loginFailed, userId: id, client: nil, detail: "recent", at: now))
            for name in ["expired-a", "expired-b"] {
                try await C.openSession(db, name, userId: id, created: now.addingTimeInterval(-200), ttl: 100)
            }
            #expect(try await db.purgeExpired(now: now, retention: Self.week, limit: 2) == 2 + 2)
            #expect(try await db.rows("auth_events") == 2)
            #expect(try await db.rows("login_sessions") == 0)
            #expect(try await db.purgeExpired(now: now, retention: Self.week, limit: 2) == 1)
            #expect(try await db.purgeExpired(now: now, retention: Self.week, limit: 2) == 0)
            #expect(try await db.text("SELECT detail FROM auth_events") == "recent")
            await db.close()
        }

        @Test("recordEvent appends the event with who, from where and when", arguments: TestStore.available)
        func recordEvent(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "audited@example.com")
            try await db.recordEvent(AuditRecord(event: .passwordChanged, userId: id, client: ClientInfo(ip: "198.51.100.4", userAgent: "curl/8"),
                                                 detail: "self-service", at: C.at(12.5)))
            try await db.recordEvent(AuditRecord(event: .loginFailed, userId: nil, client: nil, detail: "unknown_email", at: C.at(13)))
            #expect(try await db.rows("auth_events") == 2)
            let first = "FROM auth_events WHERE event = 'password_changed'"
            #expect(try await db.integer("SELECT user_id \(first)") == Int(id))
            #expect(try await db.text("SELECT ip \(first)") == "198.51.100.4")
            #expect(try await db.text("SELECT user_agent \(first)") == "curl/8")
            #expect(try await db.text("SELECT detail \(first)") == "self-service")
            #expect(try await db.real("SELECT created_at \(first)") == C.at(12.5).timeIntervalSince1970)
            let second = "FROM auth_events WHERE event = 'login_failed'"
            #expect(try await db.rows("auth_events", where: "event = 'login_failed' AND user_id IS NULL") == 1)
            #expect(try await db.text("SELECT ip \(second)") == "")
            #expect(try await db.text("SELECT user_agent \(second)") == "")
            #expect(try await db.text("SELECT detail \(second)") == "unknown_email")
            #expect(try await db.integer("SELECT COUNT(DISTINCT id) FROM auth_events") == 2)
            await db.close()
        }

        @Test("migrate again is harmless: nothing applied twice, data kept; requireMigrated passes; ping answers", arguments: TestStore.available)
        func migrateTwice(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "survivor@example.com")
            try await C.openSession(db, "kept", userId: id)
            #expect(try await Conformance.recordedMigrations(db) == Schema.steps.count)
            try await db.migrate()
            try await db.migrate()
            #expect(try await Conformance.recordedMigrations(db) == Schema.steps.count)
            try await db.requireMigrated()
            #expect(try await db.user(id: id)?.email == "survivor@example.com")
            #expect(try await db.sessions(userId: id, now: C.t0).map(\.id) == ["kept"])
            #expect(await db.ping())
            await db.close()
        }

        @Test("requireMigrated refuses an unmigrated database with notMigrated, and passes once it is migrated", arguments: TestStore.available)
        func requireMigrated(store: TestStore) async throws {
            let db = try await Conformance.openUnmigrated(store)
            #expect(await db.ping(), "an empty database answers")
            let error = await #expect(throws: StorageError.self) { try await db.requireMigrated() }
            if case .notMigrated = error {} else { Issue.record("expected notMigrated, got \(String(describing: error))") }
            try await db.migrate()
            try await db.requireMigrated()
            #expect(try await Conformance.recordedMigrations(db) == Schema.steps.count)
            #expect(try await db.rows("users") == 0)
            await db.close()
        }

        @Test("Two pools migrating one empty database at once both succeed, each step applied once", arguments: TestStore.available)
        func concurrentMigrate(store: TestStore) async throws {
            let first = try await Conformance.openUnmigrated(store)
            let pools: [any AuthBackend] = [first, try await Conformance.secondPool(first)]
            // SQLite: another process is writing while both start, so that both have read which
            // steps are applied before either applies one. PostgreSQL: they just start together.
            let released = Conformance.Outcome()
            if let release = try await Conformance.holdWriteLock(first, pools: pools) {
                Conformance.onOwnThread(after: 0.5) { released.finish { try release() } }
            } else {
                released.finish {}
            }
            let failures = await withTaskGroup(of: String?.self) { group in
                for (i, pool) in pools.enumerated() {
                    group.addTask {
                        do {
                            try await pool.migrate()
                            return nil
                        } catch {
                            return "pool \(i): \(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
            }
            #expect(try await released.value() == nil)
            #expect(failures.isEmpty, "\(failures)")
            try await first.migrate()
            for pool in pools { try await pool.requireMigrated() }
            #expect(try await Conformance.recordedMigrations(first) == Schema.steps.count)
            for pool in pools { await pool.close() }
        }
    }
}
