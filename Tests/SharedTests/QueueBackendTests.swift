import Foundation
import Logging
import Testing
@testable import Shared

/// The mail queue's guarantees on every available backend (see `TestStore`), through two
/// independent connection pools as two worker processes would hold. Serialized: on PostgreSQL
/// the tests share one database, and a claim takes any due job.
@Suite("Queue on each backend", .serialized, .backendServices)
struct QueueBackendTests {
    @Test("Parallel claims from two pools: every job claimed exactly once", arguments: TestStore.available)
    func claimsAreExclusive(store: TestStore) async throws {
        let first = try await store.open()
        let second = try await store.reopen(first)
        let tag = UUID().uuidString.prefix(8).lowercased()
        let now = Date()
        for i in 0..<120 {
            let owner = try await Conformance.createUser(first, "q\(tag)-\(i)@example.com")
            #expect(try await first.queueMail(MailJob(kind: .verifyEmail, payload: .init(userId: owner, email: "q\(tag)-\(i)@example.com"),
                                                      now: now, nonce: "n\(i)"),
                                              cooldownSubject: "q\(tag)-\(i)", cooldown: 60, now: now))
        }
        let pools: [any AuthBackend] = [first, second]
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let jobs = try await pools[worker % 2].claim(owner: "w\(worker)", limit: 5, lease: 60, now: now.addingTimeInterval(1))
                        let ours = jobs.filter { $0.payload.contains("q\(tag)-") }
                        if jobs.isEmpty { return mine }
                        mine += ours.map(\.payload)
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 120)
        #expect(Set(claimed).count == 120)
        await first.close()
        await second.close()
    }

    @Test("A lease that is not renewed expires: the job is claimable again, with its attempt counted", arguments: TestStore.available)
    func expiredLease(store: TestStore) async throws {
        let db = try await store.open()
        let tag = UUID().uuidString.prefix(8).lowercased()
        // Far in the future, so jobs of other tests sharing the database are not in the way.
        let now = Date().addingTimeInterval(10 * 365 * 86_400)
        let owner = try await Conformance.createUser(db, "l\(tag)@example.com")
        #expect(try await db.queueMail(MailJob(kind: .passwordReset, payload: .init(userId: owner, email: "l\(tag)@example.com"), now: now, nonce: "n"),
                                       cooldownSubject: "l\(tag)", cooldown: 60, now: now))
        func ours(_ jobs: [MailJob]) -> [MailJob] { jobs.filter { $0.payload.contains("l\(tag)@") } }
        let taken = ours(try await db.claim(owner: "a", limit: 1_000, lease: 30, now: now))
        #expect(taken.count == 1 && taken.first?.attempts == 1)
        #expect(ours(try await db.claim(owner: "b", limit: 1_000, lease: 30, now: now.addingTimeInterval(29))).isEmpty)
        let retaken = ours(try await db.claim(owner: "b", limit: 1_000, lease: 30, now: now.addingTimeInterval(31)))
        #expect(retaken.count == 1 && retaken.first?.attempts == 2)
        let id = try #require(retaken.first?.id)
        // The first owner lost the lease: its renewal and its settlement no longer apply.
        #expect(try await !db.renewLease(id: id, owner: "a", until: now.addingTimeInterval(100)))
        try await db.bury(id: id, owner: "a", error: "stale", now: now.addingTimeInterval(32))
        #expect(try await db.renewLease(id: id, owner: "b", until: now.addingTimeInterval(100)))
        await db.close()
    }
}

@Suite("Account store on each backend", .backendServices)
struct AccountStoreBackendTests {
    @Test("A login's hash upgrade does not overwrite a password changed since it was verified", arguments: TestStore.available)
    func upgradeLosesToChange(store: TestStore) async throws {
        let db = try await store.open()
        let now = Date()
        let email = "up-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let user = try await db.createUser(User(email: email, password: "old-hash", isVerified: true, dateJoined: now))
        let id = try #require(user.id)
        func session() -> LoginSession {
            LoginSession(id: UUID().uuidString, userId: id, refreshJti: "j", createdAt: now, expiresAt: now.addingTimeInterval(60),
                         userAgent: "", ip: "")
        }
        // A reset committed between the login's verification of "old-hash" and its upgrade.
        _ = try await db.recordLogin(userId: id, session: session(), upgrade: nil, now: now)
        let first = session()
        try await db.recordLogin(userId: id, session: first, upgrade: nil, now: now)
        #expect(try await db.changePassword(userId: id, from: "old-hash", to: "reset-hash", callerSession: first.id,
                                            session: session(), now: now))
        try await db.recordLogin(userId: id, session: session(), upgrade: (from: "old-hash", to: "rehashed-old"), now: now)
        #expect(try await db.user(id: id)?.password == "reset-hash")
        // Without a change in between, the upgrade applies.
        try await db.recordLogin(userId: id, session: session(), upgrade: (from: "reset-hash", to: "rehashed-reset"), now: now)
        #expect(try await db.user(id: id)?.password == "rehashed-reset")
        await db.close()
    }

    @Test("Storing the same code again (a retry of its mail) never brings a used or burnt code back", arguments: TestStore.available)
    func retriedCodeStaysSpent(store: TestStore) async throws {
        let db = try await store.open()
        let now = Date()
        let email = "retry-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let id = try #require(try await db.createUser(User(email: email, password: "h", dateJoined: now)).id)
        func code(_ hash: UInt8, at time: Date) -> OneTimeCode {
            OneTimeCode(purpose: .passwordReset, userId: id, email: email, codeHash: Data([hash]), createdAt: time,
                        expiresAt: time.addingTimeInterval(600))
        }
        func redeem(_ right: Bool, at time: Date = now) async throws -> CodeRedemption {
            try await db.redeemCode(purpose: .passwordReset, userId: id, emailKey: EmailAddress.key(email), now: time,
                                    matches: { _ in right }, effect: right ? .resetPassword(hash: "new") : .checkOnly)
        }
        func redeemed(_ outcome: CodeRedemption) -> Bool {
            if case .redeemed = outcome { return true }
            return false
        }
        // Used, then the same code stored again: still used.
        try await db.storeCode(code(1, at: now))
        #expect(redeemed(try await redeem(true)))
        try await db.storeCode(code(1, at: now.addingTimeInterval(5)))
        #expect(try await redeem(true) == .invalid)
        // Burnt by five wrong tries, then stored again: still burnt.
        try await db.storeCode(code(2, at: now))
        for _ in 0..<OneTimeCode.maxAttempts { _ = try await redeem(false) }
        try await db.storeCode(code(2, at: now.addingTimeInterval(5)))
        #expect(try await redeem(true) == .locked)
        // Unused with wrong tries: a retry renews the expiry and keeps the count.
        try await db.storeCode(code(3, at: now))
        _ = try await redeem(false)
        try await db.storeCode(code(3, at: now.addingTimeInterval(500)))
        for _ in 0..<(OneTimeCode.maxAttempts - 2) { _ = try await redeem(false, at: now.addingTimeInterval(700)) }
        #expect(try await redeem(false, at: now.addingTimeInterval(700)) == .locked)
        // A new code (another job) replaces whatever was there.
        try await db.storeCode(code(4, at: now))
        #expect(redeemed(try await redeem(true)))
        await db.close()
    }
}

@Suite("Worker wake-ups", .backendServices)
struct JobWakeupsTests {
    @Test("A signal before the wait ends the next wait at once; without one the wait times out")
    func signalAndTimeout() async {
        let wakeups = JobWakeups()
        wakeups.signal()
        let started = ContinuousClock.now
        await wakeups.wait(timeout: .seconds(600))
        #expect(ContinuousClock.now - started < .seconds(300))
        let idle = ContinuousClock.now
        await wakeups.wait(timeout: .milliseconds(50))
        #expect(ContinuousClock.now - idle >= .milliseconds(50))
    }

    @Test("A waiting worker is woken by a signal from another task")
    func wakesWaiter() async {
        let wakeups = JobWakeups()
        let started = ContinuousClock.now
        async let waited: Void = wakeups.wait(timeout: .seconds(600))
        try? await Task.sleep(for: .milliseconds(50))
        wakeups.signal()
        await waited
        // Without the signal this would take the whole timeout; the margin absorbs a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(300))
    }

    @Test("PostgreSQL: a job queued through another pool wakes the listening worker (LISTEN/NOTIFY)",
          .enabled(if: TestStore.available.contains(.postgres), "needs the PostgreSQL test server"))
    func notifyWakesListener() async throws {
        let url = ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_URL"] ?? ""
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let location = try DatabaseLocation.parse(url).get()
        let producer = try await TestStore.postgres.open()
        let worker = try BackendServicesScope.running(try await Storage.open(location, poolSize: 2, listenForJobs: true, logger: logger))
        let wakeups = try #require(worker.jobWakeups)
        // The listener signals once when it starts listening (to pick up what was queued before).
        await wakeups.wait(timeout: .seconds(20))
        let tag = UUID().uuidString.prefix(8)
        let started = ContinuousClock.now
        async let woken: Void = wakeups.wait(timeout: .seconds(600))
        try await Task.sleep(for: .milliseconds(100))
        let owner = try await Conformance.createUser(producer, "n\(tag)@example.com")
        #expect(try await producer.queueMail(MailJob(kind: .verifyEmail, payload: .init(userId: owner, email: "n\(tag)@example.com"), now: Date(), nonce: "n"),
                                             cooldownSubject: "n\(tag)", cooldown: 60, now: Date()))
        await woken
        #expect(ContinuousClock.now - started < .seconds(300))
        await worker.close()
        await producer.close()
    }
}
