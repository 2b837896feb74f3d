import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// Queueing mail under a send cooldown (`AuthStore.queueMail`, `cooldownRemaining`) and the
    /// worker's side of the queue (`JobQueue`) on every backend.
    @Suite("Mail queue storage conformance", .serialized)
    struct MailQueueStorageTests {
        typealias C = Conformance

        // MARK: Queueing and the send cooldown

        @Test("queueMail stores the job and starts the cooldown; within it nothing is queued, after it the next one is", arguments: TestStore.available)
        func queueUnderCooldown(store: TestStore) async throws {
            let db = try await store.openFresh()
            let owner = try await C.createUser(db, "alice@example.com")
            func remaining(_ kind: MailJob.Kind = .verifyEmail, _ subject: String = "alice@example.com", cooldown: TimeInterval = 60,
                           at seconds: TimeInterval) async throws -> TimeInterval {
                try await db.cooldownRemaining(kind: kind, cooldownSubject: subject, cooldown: cooldown, now: C.at(seconds))
            }
            func queue(_ kind: MailJob.Kind = .verifyEmail, _ subject: String = "alice@example.com", at seconds: TimeInterval,
                       nonce: String) async throws -> Bool {
                try await db.queueMail(C.job(kind, userId: owner, email: "Alice@example.com", now: C.at(seconds), nonce: nonce),
                                       cooldownSubject: subject, cooldown: 60, now: C.at(seconds))
            }
            #expect(try await remaining(at: 0) == 0)
            #expect(try await queue(at: 0, nonce: "first"))
            #expect(try await db.rows("mail_jobs") == 1)
            #expect(try await db.text("SELECT kind FROM mail_jobs") == "verify_email")
            #expect(try await db.text("SELECT state FROM mail_jobs") == "queued")
            #expect(try await db.integer("SELECT attempts FROM mail_jobs") == 0)
            #expect(try await db.text("SELECT nonce FROM mail_jobs") == "first")
            #expect(try await db.real("SELECT run_at FROM mail_jobs") == C.t0.timeIntervalSince1970)
            #expect(try await db.real("SELECT created_at FROM mail_jobs") == C.t0.timeIntervalSince1970)
            let payload = try #require(try await db.text("SELECT payload FROM mail_jobs"))
            #expect(try JSONDecoder().decode(MailJob.Payload.self, from: Data(payload.utf8)) == .init(userId: owner, email: "Alice@example.com"))

            // The cooldown counts down from the queued mail, whatever length the caller asks about.
            #expect(try await remaining(at: 0) == 60)
            #expect(try await remaining(at: 20) == 40)
            #expect(try await remaining(cooldown: 300, at: 20) == 280)
            #expect(try await remaining(at: 60) == 0)
            #expect(try await remaining(at: 500) == 0)

            // Within the cooldown: refused, and the cooldown is not restarted by the refusal.
            #expect(try await !queue(at: 59, nonce: "refused"))
            #expect(try await db.rows("mail_jobs") == 1)
            #expect(try await remaining(at: 59) == 1)

            // The cooldown is per kind and per subject.
            #expect(try await queue(.passwordReset, at: 1, nonce: "other-kind"))
            #expect(try await remaining(.passwordReset, at: 1) == 60)
            #expect(try await queue(.verifyEmail, "bob@example.com", at: 2, nonce: "other-subject"))
            #expect(try await remaining(.verifyEmail, "carol@example.com", at: 2) == 0)
            #expect(try await db.rows("mail_jobs") == 3)

            // Once it has passed, the next mail is queued and starts a new cooldown.
            #expect(try await queue(at: 60, nonce: "second"))
            #expect(try await db.rows("mail_jobs", where: "kind = 'verify_email' AND payload LIKE '%Alice%'") == 3)
            #expect(try await db.rows("mail_jobs", where: "nonce = 'second'") == 1)
            #expect(try await db.rows("mail_jobs", where: "nonce = 'refused'") == 0)
            #expect(try await remaining(at: 60) == 60)
            #expect(try await !queue(at: 100, nonce: "refused-again"))
            #expect(try await db.rows("mail_jobs") == 4)
            #expect(try await db.rows("send_cooldowns") == 3)
            await db.close()
        }

        @Test("queueMail for an account that is gone queues nothing and starts no cooldown (a send racing a deletion)", arguments: TestStore.available)
        func queueForDeletedAccount(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.createUser(db, "going@example.com")
            let outcome = try await db.deleteAccount(id: id, throttleKeys: { _ in [] },
                                                     notice: { user in C.job(.accountDeletedNotice, userId: id, email: user.email) }, now: C.at(1))
            guard case .done = outcome else { Issue.record("not deleted: \(outcome)"); return }
            try await db.execute("DELETE FROM mail_jobs")
            #expect(try await !db.queueMail(C.job(.passwordReset, userId: id, email: "going@example.com", now: C.at(2)),
                                            cooldownSubject: "going@example.com", cooldown: 60, now: C.at(2)))
            #expect(try await db.rows("mail_jobs") == 0)
            #expect(try await db.rows("send_cooldowns") == 0)
            await db.close()
        }

        @Test("A deletion notice forgets its address once sent, and when it dies; other jobs keep their payload", arguments: TestStore.available)
        func noticeForgetsAddress(store: TestStore) async throws {
            let db = try await store.openFresh()
            for (index, email) in ["sent@example.com", "dead@example.com", "other@example.com"].enumerated() {
                let owner = try await C.createUser(db, email)
                let kind: MailJob.Kind = index < 2 ? .accountDeletedNotice : .passwordReset
                #expect(try await db.queueMail(C.job(kind, userId: owner, email: email, nonce: email), cooldownSubject: email, cooldown: 0,
                                               now: C.t0))
            }
            let jobs = try await db.claim(owner: "w", limit: 10, lease: 30, now: C.at(1))
            #expect(jobs.count == 3)
            for job in jobs {
                let id = try #require(job.id)
                if job.payload.contains("sent@") { try await db.complete(id: id, now: C.at(2)) }
                else { try await db.bury(id: id, owner: "w", error: "permanent: SMTP 550: <recipient>: unknown", now: C.at(2)) }
            }
            #expect(try await db.rows("mail_jobs", where: "payload LIKE '%sent@%' OR payload LIKE '%dead@%'") == 0)
            #expect(try await db.rows("mail_jobs", where: "state = 'dead' AND kind = 'account_deleted_notice'") == 1)
            #expect(try await db.rows("mail_jobs", where: "state = 'dead' AND payload LIKE '%other@%'") == 1, "a reset keeps its payload to be requeued")
            await db.close()
        }

        @Test("10 parallel queueMail calls for one subject, through two pools, queue exactly one job", arguments: TestStore.available)
        func queueRace(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            let pools: [any AuthBackend] = [first, second]
            let now = C.t0
            let owner = try await C.createUser(first, "race@example.com")
            let queued = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<10 {
                    group.addTask {
                        try await pools[i % 2].queueMail(C.job(.passwordReset, userId: owner, email: "race@example.com", now: now, nonce: "n\(i)"),
                                                         cooldownSubject: "race@example.com", cooldown: 60, now: now)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(queued == 1)
            #expect(try await first.rows("mail_jobs") == 1)
            #expect(try await first.rows("send_cooldowns") == 1)
            await second.close()
            await first.close()
        }

        // MARK: Claiming

        @Test("claim leases due queued jobs, oldest first and up to the limit; nothing else", arguments: TestStore.available)
        func claimDueOldestFirst(store: TestStore) async throws {
            let db = try await store.openFresh()
            let late = try await C.enqueue(db, email: "late@example.com", runAt: C.at(10))
            let oldest = try await C.enqueue(db, .passwordReset, email: "oldest@example.com", runAt: C.at(0))
            let middle = try await C.enqueue(db, email: "middle@example.com", runAt: C.at(5))
            let future = try await C.enqueue(db, email: "future@example.com", runAt: C.at(1_000))

            let firstBatch = try await db.claim(owner: "w1", limit: 2, lease: 10_000, now: C.at(20))
            #expect(firstBatch.map(\.id) == [oldest, middle])
            for job in firstBatch {
                #expect(job.state == .running)
                #expect(job.leaseOwner == "w1")
                #expect(job.leaseExpiresAt == C.at(10_020))
                #expect(job.attempts == 1)
                #expect(job.updatedAt == C.at(20))
                let stored = try await StoredJob.read(db, id: try #require(job.id))
                #expect(stored == StoredJob(state: "running", attempts: 1, runAt: job.runAt.timeIntervalSince1970, leaseOwner: "w1",
                                            leaseExpiresAt: C.at(10_020).timeIntervalSince1970, lastError: nil,
                                            updatedAt: C.at(20).timeIntervalSince1970))
            }
            // The claimed job comes back whole.
            let claimedOldest = try #require(firstBatch.first)
            #expect(claimedOldest.kind == .passwordReset)
            let payload = try claimedOldest.decodedPayload()
            #expect(payload.email == "oldest@example.com" && payload.userId == claimedOldest.userId && payload.userId > 0)
            #expect(claimedOldest.runAt == C.at(0) && claimedOldest.createdAt == C.at(0))
            #expect(claimedOldest.nonce.hasPrefix("n-"))

            // Leased jobs are not claimed again; the one not yet due neither.
            #expect(try await db.claim(owner: "w2", limit: 10, lease: 10_000, now: C.at(20)).map(\.id) == [late])
            #expect(try await db.claim(owner: "w2", limit: 10, lease: 10_000, now: C.at(20)).isEmpty)
            #expect(try await db.claim(owner: "w2", limit: 10, lease: 10_000, now: C.at(999)).isEmpty)
            // Due when run_at is reached.
            #expect(try await db.claim(owner: "w2", limit: 10, lease: 10_000, now: C.at(1_000)).map(\.id) == [future])

            // Equal run_at: the older id first.
            let a = try await C.enqueue(db, runAt: C.at(2_000))
            let b = try await C.enqueue(db, runAt: C.at(2_000))
            #expect(try await db.claim(owner: "w3", limit: 1, lease: 10_000, now: C.at(2_000)).map(\.id) == [a])
            #expect(try await db.claim(owner: "w3", limit: 1, lease: 10_000, now: C.at(2_000)).map(\.id) == [b])
            #expect(try await db.rows("mail_jobs", where: "state = 'running'") == 6)
            await db.close()
        }

        @Test("A lease not renewed expires and another owner claims the job, with its attempt counted; done and dead jobs are never claimed", arguments: TestStore.available)
        func expiredLeaseReclaimed(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.enqueue(db, runAt: C.t0)
            let done = try await C.enqueue(db, runAt: C.t0)
            let dead = try await C.enqueue(db, runAt: C.t0)
            #expect(try await db.claim(owner: "a", limit: 10, lease: 30, now: C.t0).count == 3)
            try await db.complete(id: done, now: C.at(1))
            try await db.bury(id: dead, owner: "a", error: "bounced", now: C.at(1))

            #expect(try await db.claim(owner: "b", limit: 10, lease: 30, now: C.at(29)).isEmpty)
            let retaken = try await db.claim(owner: "b", limit: 10, lease: 30, now: C.at(30))
            #expect(retaken.map(\.id) == [id])
            #expect(retaken.first?.attempts == 2)
            #expect(retaken.first?.leaseOwner == "b")
            #expect(retaken.first?.leaseExpiresAt == C.at(60))
            // The first owner lost it.
            #expect(try await !db.renewLease(id: id, owner: "a", until: C.at(500)))
            #expect(try await db.claim(owner: "c", limit: 10, lease: 30, now: C.at(10_000)).map(\.id) == [id])
            #expect(try await StoredJob.read(db, id: done).state == "done")
            #expect(try await StoredJob.read(db, id: dead).state == "dead")
            await db.close()
        }

        @Test("Parallel claims from two pools lease every job exactly once", arguments: TestStore.available)
        func claimRace(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            let total = 60
            for i in 0..<total { _ = try await C.enqueue(first, email: "job\(i)@example.com", runAt: C.at(Double(i % 7))) }
            let pools: [any AuthBackend] = [first, second]
            let now = C.at(100)
            let claimed = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let jobs = try await pools[worker % 2].claim(owner: "w\(worker)", limit: 4, lease: 300, now: now)
                            if jobs.isEmpty { return ("w\(worker)", mine) }
                            #expect(jobs.allSatisfy { $0.leaseOwner == "w\(worker)" && $0.attempts == 1 })
                            mine += jobs.compactMap(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [String: [Int64]]()) { $0[$1.0] = $1.1 }
            }
            let all = claimed.values.flatMap { $0 }
            #expect(all.count == total)
            #expect(Set(all).count == total)
            #expect(try await first.rows("mail_jobs", where: "state = 'running' AND attempts = 1") == total)
            for (owner, ids) in claimed {
                #expect(try await first.rows("mail_jobs", where: "lease_owner = '\(owner)'") == ids.count)
            }
            await second.close()
            await first.close()
        }

        // MARK: Settling a lease

        @Test("renewLease extends only a lease the owner still holds", arguments: TestStore.available)
        func renewLease(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.enqueue(db)
            #expect(try await db.claim(owner: "a", limit: 1, lease: 30, now: C.t0).count == 1)
            #expect(try await db.renewLease(id: id, owner: "a", until: C.at(90)))
            #expect(try await db.real("SELECT lease_expires_at FROM mail_jobs WHERE id = \(id)") == C.at(90).timeIntervalSince1970)
            // The renewed lease holds past the first one's end.
            #expect(try await db.claim(owner: "b", limit: 1, lease: 30, now: C.at(60)).isEmpty)

            let before = try await StoredJob.read(db, id: id)
            #expect(try await !db.renewLease(id: id, owner: "b", until: C.at(1_000)))
            #expect(try await StoredJob.read(db, id: id) == before)
            #expect(try await !db.renewLease(id: id + 1_000, owner: "a", until: C.at(1_000)))

            try await db.release(id: id, owner: "a", now: C.at(61))
            #expect(try await !db.renewLease(id: id, owner: "a", until: C.at(1_000)), "a queued job has no lease")
            #expect(try await db.claim(owner: "a", limit: 1, lease: 30, now: C.at(62)).count == 1)
            try await db.complete(id: id, now: C.at(63))
            #expect(try await !db.renewLease(id: id, owner: "a", until: C.at(1_000)), "a done job has no lease")
            await db.close()
        }

        @Test("complete marks the job done and clears its lease, whoever holds it", arguments: TestStore.available)
        func complete(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.enqueue(db)
            let bystander = try await C.enqueue(db)
            #expect(try await db.claim(owner: "a", limit: 1, lease: 30, now: C.t0).map(\.id) == [id])
            // Lost to another worker meanwhile: the mail went out all the same, so it is done.
            #expect(try await db.claim(owner: "b", limit: 1, lease: 30, now: C.at(40)).map(\.id) == [id])
            try await db.complete(id: id, now: C.at(45))
            #expect(try await StoredJob.read(db, id: id) == StoredJob(
                state: "done", attempts: 2, runAt: C.t0.timeIntervalSince1970, leaseOwner: nil, leaseExpiresAt: nil, lastError: nil,
                updatedAt: C.at(45).timeIntervalSince1970))
            #expect(try await db.claim(owner: "c", limit: 10, lease: 30, now: C.at(10_000)).map(\.id) == [bystander])
            #expect(try await db.status(now: C.at(10_000)).done == 1)
            await db.close()
        }

        @Test("retry by the owner queues the job again at runAt with its error and attempts; by anyone else it changes nothing", arguments: TestStore.available)
        func retry(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.enqueue(db)
            #expect(try await db.claim(owner: "a", limit: 1, lease: 30, now: C.t0).count == 1)

            let leased = try await StoredJob.read(db, id: id)
            try await db.retry(id: id, owner: "b", error: "not mine", runAt: C.at(5), now: C.at(1))
            #expect(try await StoredJob.read(db, id: id) == leased)

            let longError = String(repeating: "x", count: 1_500)
            try await db.retry(id: id, owner: "a", error: longError, runAt: C.at(120), now: C.at(2))
            let retried = try await StoredJob.read(db, id: id)
            #expect(retried == StoredJob(state: "queued", attempts: 1, runAt: C.at(120).timeIntervalSince1970, leaseOwner: nil,
                                         leaseExpiresAt: nil, lastError: String(repeating: "x", count: 1_000),
                                         updatedAt: C.at(2).timeIntervalSince1970))
            // A second retry by the former owner of a job it no longer leases: nothing.
            try await db.retry(id: id, owner: "a", error: "again", runAt: C.at(3), now: C.at(3))
            #expect(try await StoredJob.read(db, id: id) == retried)

            #expect(try await db.claim(owner: "b", limit: 1, lease: 30, now: C.at(119)).isEmpty)
            let again = try await db.claim(owner: "b", limit: 1, lease: 30, now: C.at(120))
            #expect(again.map(\.id) == [id])
            #expect(again.first?.attempts == 2)
            #expect(again.first?.lastError == String(repeating: "x", count: 1_000))
            await db.close()
        }

        @Test("bury by the owner parks the job as dead with its error; by anyone else it changes nothing", arguments: TestStore.available)
        func bury(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.enqueue(db)
            #expect(try await db.claim(owner: "a", limit: 1, lease: 30, now: C.t0).count == 1)

            let leased = try await StoredJob.read(db, id: id)
            try await db.bury(id: id, owner: "b", error: "not mine", now: C.at(1))
            #expect(try await StoredJob.read(db, id: id) == leased)

            try await db.bury(id: id, owner: "a", error: "550 mailbox unavailable", now: C.at(2))
            let buried = try await StoredJob.read(db, id: id)
            #expect(buried == StoredJob(state: "dead", attempts: 1, runAt: C.t0.timeIntervalSince1970, leaseOwner: nil, leaseExpiresAt: nil,
                                        lastError: "550 mailbox unavailable", updatedAt: C.at(2).timeIntervalSince1970))
            try await db.bury(id: id, owner: "a", error: "again", now: C.at(3))
            #expect(try await StoredJob.read(db, id: id) == buried)
            #expect(try await db.claim(owner: "b", limit: 1, lease: 30, now: C.at(100_000)).isEmpty)
            await db.close()
        }

        @Test("release by the owner gives the job back without counting the attempt; by anyone else it changes nothing", arguments: TestStore.available)
        func release(store: TestStore) async throws {
            let db = try await store.openFresh()
            let id = try await C.enqueue(db)
            #expect(try await db.claim(owner: "a", limit: 1, lease: 30, now: C.t0).count == 1)

            let leased = try await StoredJob.read(db, id: id)
            try await db.release(id: id, owner: "b", now: C.at(1))
            #expect(try await StoredJob.read(db, id: id) == leased)

            try await db.release(id: id, owner: "a", now: C.at(2))
            let released = try await StoredJob.read(db, id: id)
            #expect(released == StoredJob(state: "queued", attempts: 0, runAt: C.t0.timeIntervalSince1970, leaseOwner: nil,
                                          leaseExpiresAt: nil, lastError: nil, updatedAt: C.at(2).timeIntervalSince1970))
            // Released twice: the count does not go further down.
            try await db.release(id: id, owner: "a", now: C.at(3))
            #expect(try await StoredJob.read(db, id: id) == released)
            // Claimable again at once, as its first attempt.
            let again = try await db.claim(owner: "b", limit: 1, lease: 30, now: C.at(3))
            #expect(again.map(\.id) == [id])
            #expect(again.first?.attempts == 1)
            await db.close()
        }

        @Test("PostgreSQL: a job queued through another pool wakes the pool listening for jobs (LISTEN/NOTIFY)",
              .enabled(if: TestStore.available.contains(.postgres), "needs the PostgreSQL test server"))
        func notifyWakesListener() async throws {
            // Given a pool listening for jobs, its start-up signal taken (it picks up what was queued before)
            let producer = try await TestStore.postgres.openFresh()
            let postgres = try #require(producer as? PostgresBackend)
            let listener = try BackendServicesScope.running(
                try await PostgresBackend.open(postgres.location, poolSize: 2, listenForJobs: true, logger: C.logger()))
            let wakeups = try #require(listener.jobWakeups)
            let listening = ContinuousClock.now
            await wakeups.wait(timeout: .seconds(60))
            #expect(ContinuousClock.now - listening < .seconds(30), "woken by the listener's start-up signal, not the timeout")
            // When another pool queues a job
            let owner = try await C.createUser(producer, "notified@example.com")
            #expect(try await producer.queueMail(C.job(userId: owner, email: "notified@example.com", now: C.t0, nonce: "n"),
                                                 cooldownSubject: "notified@example.com", cooldown: 60, now: C.t0))
            // Then the listener is woken (before or during its wait: either way by the notification,
            // nothing else queues on this database), long before the wait would time out
            let started = ContinuousClock.now
            await wakeups.wait(timeout: .seconds(60))
            #expect(ContinuousClock.now - started < .seconds(30))
            await listener.close()
            await producer.close()
        }

        // MARK: Inspection and maintenance

        @Test("status counts jobs by state, ages the oldest queued job and lists dead jobs", arguments: TestStore.available)
        func status(store: TestStore) async throws {
            let db = try await store.openFresh()
            let empty = try await db.status(now: C.t0)
            #expect(empty == QueueStatus(counts: [:], oldestQueuedAt: nil, deadJobs: [], now: C.t0))
            #expect(empty.queued == 0 && empty.running == 0 && empty.done == 0 && empty.dead == 0)
            #expect(empty.oldestQueuedAgeSeconds == nil && empty.deadJobs.isEmpty)

            let j1 = try await C.enqueue(db, runAt: C.at(0))
            let j2 = try await C.enqueue(db, .passwordReset, runAt: C.at(10))
            let j3 = try await C.enqueue(db, .emailChange, runAt: C.at(20))
            let j4 = try await C.enqueue(db, runAt: C.at(30))
            _ = try await C.enqueue(db, runAt: C.at(40))
            _ = try await C.enqueue(db, runAt: C.at(50))
            #expect(try await db.claim(owner: "w", limit: 4, lease: 600, now: C.at(50)).map(\.id) == [j1, j2, j3, j4])
            try await db.complete(id: j1, now: C.at(55))
            try await db.bury(id: j2, owner: "w", error: "boom", now: C.at(60))
            try await db.bury(id: j3, owner: "w", error: "bust", now: C.at(61))

            let status = try await db.status(now: C.at(100))
            #expect(status.queued == 2)
            #expect(status.running == 1)
            #expect(status.done == 1)
            #expect(status.dead == 2)
            #expect(status.oldestQueuedAgeSeconds == 60)
            #expect(status.deadJobs == [
                QueueStatus.DeadJob(id: j2, kind: "password_reset", attempts: 1, lastError: "boom", updatedAt: "2023-11-14T22:14:20Z"),
                QueueStatus.DeadJob(id: j3, kind: "email_change", attempts: 1, lastError: "bust", updatedAt: "2023-11-14T22:14:21Z"),
            ])
            // Never a negative age.
            #expect(try await db.status(now: C.t0).oldestQueuedAgeSeconds == 0)
            await db.close()
        }

        @Test("requeueDead puts one dead job, or all of them, back in the queue with a fresh attempt count", arguments: TestStore.available)
        func requeueDead(store: TestStore) async throws {
            let db = try await store.openFresh()
            var ids: [Int64] = []
            for _ in 0..<5 { ids.append(try await C.enqueue(db)) }
            #expect(try await db.claim(owner: "w", limit: 5, lease: 30, now: C.t0).count == 5)
            for id in ids.prefix(3) { try await db.bury(id: id, owner: "w", error: "dead", now: C.at(1)) }
            try await db.complete(id: ids[3], now: C.at(1))
            // ids[4] stays running.

            #expect(try await db.requeueDead(id: ids[0], now: C.at(10)) == 1)
            let requeued = try await StoredJob.read(db, id: ids[0])
            #expect(requeued.state == "queued" && requeued.attempts == 0)
            #expect(requeued.runAt == C.at(10).timeIntervalSince1970 && requeued.updatedAt == C.at(10).timeIntervalSince1970)
            #expect(try await db.requeueDead(id: ids[0], now: C.at(11)) == 0, "no longer dead")

            // Only dead jobs: a done, a running and an unknown id are left alone.
            let done = try await StoredJob.read(db, id: ids[3])
            let running = try await StoredJob.read(db, id: ids[4])
            #expect(try await db.requeueDead(id: ids[3], now: C.at(12)) == 0)
            #expect(try await db.requeueDead(id: ids[4], now: C.at(12)) == 0)
            #expect(try await db.requeueDead(id: 99_999, now: C.at(12)) == 0)
            #expect(try await StoredJob.read(db, id: ids[3]) == done)
            #expect(try await StoredJob.read(db, id: ids[4]) == running)

            #expect(try await db.requeueDead(id: nil, now: C.at(20)) == 2)
            #expect(try await db.rows("mail_jobs", where: "state = 'dead'") == 0)
            #expect(try await db.requeueDead(id: nil, now: C.at(21)) == 0)
            #expect(try await StoredJob.read(db, id: ids[3]) == done)
            #expect(try await StoredJob.read(db, id: ids[4]) == running)
            // Back in the queue: claimable at once, as first attempts.
            let again = try await db.claim(owner: "w2", limit: 10, lease: 30, now: C.at(20))
            #expect(Set(again.compactMap(\.id)) == Set(ids.prefix(3)))
            #expect(again.allSatisfy { $0.attempts == 1 })
            await db.close()
        }

        @Test("pruneDone deletes done jobs last touched before the cutoff, and nothing else", arguments: TestStore.available)
        func pruneDone(store: TestStore) async throws {
            let db = try await store.openFresh()
            var ids: [Int64] = []
            for _ in 0..<6 { ids.append(try await C.enqueue(db)) }
            #expect(try await db.claim(owner: "w", limit: 5, lease: 30, now: C.t0).count == 5)
            try await db.complete(id: ids[0], now: C.at(10))
            try await db.complete(id: ids[1], now: C.at(20))
            try await db.complete(id: ids[2], now: C.at(30))
            try await db.bury(id: ids[3], owner: "w", error: "old and dead", now: C.at(5))
            // ids[4] running since t0, ids[5] queued since t0.

            #expect(try await db.pruneDone(olderThan: C.at(30), limit: 1) == 1, "at most the limit")
            #expect(try await db.pruneDone(olderThan: C.at(30), limit: 100) == 1)
            #expect(try await db.rows("mail_jobs", where: "id IN (\(ids[0]), \(ids[1]))") == 0)
            #expect(try await db.rows("mail_jobs") == 4)
            #expect(try await StoredJob.read(db, id: ids[2]).state == "done")
            #expect(try await db.pruneDone(olderThan: C.at(30), limit: 100) == 0)
            #expect(try await db.pruneDone(olderThan: C.at(31), limit: 100) == 1)
            #expect(try await db.rows("mail_jobs") == 3)
            #expect(try await db.pruneDone(olderThan: C.at(100_000), limit: 100) == 0)
            #expect(try await db.rows("mail_jobs", where: "state = 'dead'") == 1)
            #expect(try await db.rows("mail_jobs", where: "state = 'running'") == 1)
            #expect(try await db.rows("mail_jobs", where: "state = 'queued'") == 1)
            await db.close()
        }
    }
}
