import Foundation
import Synchronization
import TestSupport
import Testing

/// Faults a deployment meets, injected into the real processes: the API killed under load, the
/// PostgreSQL server stopped and started again, a full disk under SQLite, a worker stalled past
/// its lease, SMTP servers that hang or drop the connection, replicas whose clocks disagree.
/// `make faults` runs this suite on both databases (RELIABILITY.md has the table); `make test`
/// runs it as part of the whole suite. Each test fails when its protection is removed (see
/// RELIABILITY.md for how that was checked).
@Suite("Faults")
struct FaultTests {
    /// What a load generator saw: statuses, and how many requests failed at the connection.
    final class Outcomes: Sendable {
        private let state = Mutex<(statuses: [Int: Int], connectionErrors: Int, slowest: Duration, settled: [String], refused: [String],
                                   accepted: [String], slowestAnswer: (status: Int, started: ContinuousClock.Instant)?)>(([:], 0, .zero, [], [], [], nil))

        func record(_ status: Int, took: Duration, started: ContinuousClock.Instant = .now) {
            state.withLock {
                $0.statuses[status, default: 0] += 1
                if took > $0.slowest { $0.slowestAnswer = (status, started) }
                $0.slowest = max($0.slowest, took)
            }
        }
        /// The status of the slowest answer, and when its request started.
        var slowestAnswer: (status: Int, started: ContinuousClock.Instant)? { state.withLock { $0.slowestAnswer } }
        func connectionError() { state.withLock { $0.connectionErrors += 1 } }
        /// A refresh token whose rotation the client saw answered, and never presented again.
        func settled(_ token: String) { state.withLock { $0.settled.append(token) } }
        /// An address whose signup was refused with 503: it must not exist afterwards.
        func refused(_ email: String) { state.withLock { $0.refused.append(email) } }
        /// An address whose signup was answered 201.
        func accepted(_ email: String) { state.withLock { $0.accepted.append(email) } }

        var statuses: [Int: Int] { state.withLock { $0.statuses } }
        var connectionErrors: Int { state.withLock { $0.connectionErrors } }
        var slowest: Duration { state.withLock { $0.slowest } }
        var settledTokens: [String] { state.withLock { $0.settled } }
        var refusedEmails: [String] { state.withLock { $0.refused } }
        var acceptedEmails: [String] { state.withLock { $0.accepted } }
        var serverErrors: Int { statuses.filter { $0.key >= 500 && $0.key != 503 }.values.reduce(0, +) }
    }

    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// An instant set once by the test while its lanes run (when the fault began).
    final class Moment: Sendable {
        private let instant = Mutex<ContinuousClock.Instant?>(nil)
        func set(_ value: ContinuousClock.Instant) { instant.withLock { $0 = value } }
        var value: ContinuousClock.Instant? { instant.withLock { $0 } }
    }

    /// The checks every fault ends with: each user has exactly its verification job, no job
    /// lacks its user, no session is half-ended.
    static func expectConsistent(_ server: TestServer) async throws {
        #expect(try await server.sqlInt("""
            SELECT COUNT(*) FROM users u
            WHERE (SELECT COUNT(*) FROM mail_jobs j WHERE j.user_id = u.id AND j.kind = 'verify_email') <> 1
            """) == 0, "every user has exactly one verification job")
        #expect(try await server.sqlInt("""
            SELECT COUNT(*) FROM mail_jobs j WHERE j.kind = 'verify_email' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = j.user_id)
            """) == 0, "no verification job lacks its user")
        #expect(try await server.sqlInt("""
            SELECT COUNT(*) FROM login_sessions WHERE (revoked_at IS NULL) <> (revoke_reason IS NULL)
            """) == 0, "no session is half-ended")
        #expect(try await server.sqlInt("""
            SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM login_sessions s WHERE s.user_id = u.id)
            """) == 0, "every signup committed its session with its user")
    }

    // MARK: 1. The API killed under load

    @Test("API SIGKILL during signups and refreshes: after restart every user has exactly its job, sessions are whole, no 500")
    func apiKilledUnderLoad() async throws {
        let server = try await TestServer(mode: .processes)
        let outcomes = Outcomes()
        let stop = Flag()
        let tag = UUID().uuidString.prefix(6).lowercased()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                let client = server.client()
                group.addTask {
                    var round = 0
                    while !stop.isSet {
                        round += 1
                        do {
                            let started = ContinuousClock.now
                            let signup = try await client.post(Path.signup, ["email": "kill-\(tag)-\(lane)-\(round)@example.com",
                                                                            "password": TestServer.password])
                            outcomes.record(signup.status, took: ContinuousClock.now - started)
                            // Half the lanes only sign up, so signups are in flight whenever the kill comes.
                            guard signup.status == 201, lane % 2 == 1, var refresh = signup["refresh"] else { continue }
                            for step in 0..<3 {
                                let begun = ContinuousClock.now
                                let rotated = try await client.post(Path.refresh, ["refresh": refresh])
                                outcomes.record(rotated.status, took: ContinuousClock.now - begun)
                                guard rotated.status == 200, let next = rotated["refresh"] else { break }
                                refresh = next
                                if step == 2 { outcomes.settled(next) }
                            }
                        } catch {
                            outcomes.connectionError()
                            // Pacing: a lane whose server is gone does not spin on refused connections.
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
            do {
                // Kill once the load is well under way (a loaded machine takes longer to get there).
                try await eventually("30 rotations answered", timeout: .seconds(60), every: .milliseconds(20),
                                     observing: { outcomes.statuses }, until: { $0[200, default: 0] >= 30 })
                // A random moment within the next 50 ms: the kill lands at another step of a request each run.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<50)))
                for process in server.processes { kill(process.processIdentifier, SIGKILL) }
                for process in server.processes { await process.exited() }
                // The kill came during the load: the lanes meet the dead server.
                try await eventually("a lane to meet the killed server", observing: { outcomes.connectionErrors }, until: { $0 > 0 })
            } catch {
                stop.set()
                throw error
            }
            stop.set()
            try await group.waitForAll()
        }
        let restarted = try await TestServer(directory: server.directory, migrate: false, mode: .processes)
        #expect(outcomes.statuses[201, default: 0] > 10, "the load ran: \(outcomes.statuses)")
        #expect(outcomes.statuses.keys.allSatisfy { [200, 201].contains($0) }, "only complete answers or connection errors: \(outcomes.statuses)")
        try await Self.expectConsistent(restarted)
        // A rotation the client saw answered was committed: its token still works after the restart.
        let client = restarted.client()
        for token in outcomes.settledTokens.prefix(20) {
            #expect(try await client.post(Path.refresh, ["refresh": token]).status == 200)
        }
        #expect(!outcomes.settledTokens.isEmpty)
        print("FAULT api-sigkill [\(TestBackend.isPostgres ? "postgres" : "sqlite")]: answers \(outcomes.statuses), connection errors \(outcomes.connectionErrors), users \(try await restarted.sqlInt("SELECT COUNT(*) FROM users")), settled rotations re-checked \(min(20, outcomes.settledTokens.count))")
    }

    // MARK: 2. PostgreSQL stopped during load

    @Test("PostgreSQL stopped under load: 503 with Retry-After within 2 s, /readyz 503, no late commit, API and worker recover by themselves",
          .enabled(if: TestBackend.isPostgres, "stops a PostgreSQL server of its own"))
    func postgresStopped() async throws {
        let cluster = try await PrivatePostgres()
        let sink = try await SMTPSink()
        let server = try await TestServer(directory: try cluster.serverDirectory(), mode: .processes)
        // A short lease: a job whose settling failed in the outage is claimed again soon after.
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url, "AUTH_MAIL_LEASE": "5"])
        let outcomes = Outcomes()
        let stop = Flag()
        let down = Flag()
        let stopping = Moment(), starting = Moment()
        let tag = UUID().uuidString.prefix(6).lowercased()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<6 {
                let client = server.client()
                group.addTask {
                    var round = 0
                    while !stop.isSet {
                        round += 1
                        let email = "pg-\(tag)-\(lane)-\(round)@example.com"
                        let started = ContinuousClock.now
                        let signup = try await client.post(Path.signup, ["email": email, "password": TestServer.password])
                        let took = ContinuousClock.now - started
                        if down.isSet { outcomes.record(signup.status, took: took, started: started) }
                        switch signup.status {
                        case 201: outcomes.accepted(email)
                        case 503:
                            #expect(signup.code == "service_unavailable" && signup.header("Retry-After") == "2", "\(signup.text)")
                            outcomes.refused(email)
                            // Pacing: a lane refused for the outage does not spin.
                            try await Task.sleep(for: .milliseconds(50))
                        default: Issue.record("signup answered \(signup.status): \(signup.text)")
                        }
                    }
                }
            }
            do {
                try await eventually("signups to be under way", timeout: .seconds(60), observing: { outcomes.acceptedEmails.count },
                                     until: { $0 >= 10 })
                down.set()
                stopping.set(ContinuousClock.now)
                try await cluster.stop()
                // The lanes meet the outage: requests are refused while the server is down.
                try await eventually("a signup refused for the outage", observing: { outcomes.statuses }, until: { $0[503, default: 0] > 0 })
                let started = ContinuousClock.now
                let ready = try await server.client().get("/readyz")
                #expect(ready.status == 503 && ContinuousClock.now - started < .seconds(2), "readyz: \(ready.status)")
                let healthz = try await server.client().get("/healthz")
                #expect(healthz.status == 503)
                // The outage lasts a while: the 2 s bound on every answer must hold across it, not only at its start.
                try await Task.sleep(for: .seconds(3))
                starting.set(ContinuousClock.now)
                try await cluster.start()
                // The pool reconnects by itself: ready again, and signups succeed again, without a restart.
                try await eventually("/readyz to answer 200 again", timeout: .seconds(20)) {
                    try await server.client().get("/readyz").status == 200
                }
                let acceptedWhenReady = outcomes.acceptedEmails.count
                try await eventually("a signup accepted after the restart", observing: { outcomes.acceptedEmails.count },
                                     until: { $0 > acceptedWhenReady })
            } catch {
                stop.set()
                throw error
            }
            stop.set()
            try await group.waitForAll()
        }
        let slow = outcomes.slowestAnswer.map { answer in
            "status \(answer.status), started \(stopping.value.map { answer.started - $0 }.map { "\($0)" } ?? "?") after the stop began, "
                + "\(starting.value.map { answer.started - $0 }.map { "\($0)" } ?? "?") after the start began"
        } ?? ""
        #expect(outcomes.slowest < .seconds(2), "every answer while down came within 2 s: slowest \(outcomes.slowest), \(slow)")
        #expect(outcomes.serverErrors == 0, "\(outcomes.statuses)")
        // A refused signup never commits later, when the server is back.
        let refused = outcomes.refusedEmails
        for chunk in stride(from: 0, to: refused.count, by: 50) {
            let list = refused[chunk..<min(chunk + 50, refused.count)].map { "'\($0)'" }.joined(separator: ",")
            #expect(try await server.sqlInt("SELECT COUNT(*) FROM users WHERE email_key IN (\(list))") == 0, "a refused signup was committed")
        }
        let made = outcomes.acceptedEmails
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM users") == made.count, "exactly the signups answered 201 exist")
        // The workers recovered too: every committed signup's mail is delivered.
        _ = try await sink.waitFor(made.count, timeout: .seconds(60))
        _ = try await server.waitForQueue("queued", count: 0)
        try await Self.expectConsistent(server)
        let log = server.log
        let logged = log.components(separatedBy: "database unreachable").count - 1
        // Once per replica and episode (a replica may see the server flap while it restarts), never per request.
        #expect(logged >= 1 && logged <= 2 * server.processes.count && logged < outcomes.statuses[503, default: 0],
                "the outage is logged per episode, not per request: \(logged) lines")
        print("FAULT postgres-stop: answers while down \(outcomes.statuses), slowest \(outcomes.slowest), refused signups \(refused.count) (none committed), accepted \(made.count) (all mailed), outage lines logged \(logged) for \(server.processes.count) replicas")
        _ = await worker.stop()
        await server.stop()
        await cluster.remove()
    }

    // MARK: 3. SQLite disk full

    @Test("SQLite disk full: writes answer 503 with Retry-After, reads go on, logged once, integrity ok, recovery when space is freed",
          .enabled(if: !TestBackend.isPostgres, "a SQLite file on a small file system"))
    func sqliteDiskFull() async throws {
        let disk = try await SmallFileSystem(mebibytes: 16)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("authapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try disk.url.appendingPathComponent("auth.sqlite").path.write(to: directory.appendingPathComponent("database-url"),
                                                                       atomically: true, encoding: .utf8)
        let server = try await TestServer(directory: directory, mode: .processes)
        let client = server.client()
        let signedUp = try await server.signup("before-full@example.com")
        let access = try #require(signedUp["access"])

        try disk.fill()
        for round in 0..<5 {
            let refused = try await client.post(Path.signup, ["email": "full-\(round)@example.com", "password": TestServer.password])
            #expect(refused.status == 503 && refused.code == "service_unavailable" && refused.header("Retry-After") == "30",
                    "\(refused.status) \(refused.text)")
            #expect(refused["detail"]?.contains("disk is full") == true)
        }
        let login = try await client.post(Path.login, ["email": "before-full@example.com", "password": TestServer.password])
        #expect(login.status == 503 || login.status == 403, "a login writes a session (403 would be the unverified refusal): \(login.text)")
        let me = try await client.get(Path.me, bearer: access)
        #expect(me.status == 200 && me["email"] == "before-full@example.com", "reads go on: \(me.text)")
        #expect(try await client.get("/healthz").status == 200)
        #expect(server.log.components(separatedBy: "database disk full").count - 1 == 1, "logged once for the episode:\n\(server.log)")
        print("FAULT sqlite-disk-full: 5 signups 503 (Retry-After 30), login \(login.status), GET me \(me.status), disk-full lines logged \(server.log.components(separatedBy: "database disk full").count - 1)")

        try disk.free()
        #expect(try await server.signup("after-full@example.com").status == 201)
        #expect(server.log.contains("database serving again"))
        #expect(try await server.sql("PRAGMA integrity_check") == ["ok"])
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM users WHERE email_key LIKE 'full-%'") == 0)
        try await Self.expectConsistent(server)
        await server.stop()
        await disk.remove()
    }

    // MARK: 4. A worker that loses its lease

    @Test("A worker stalled past its lease (SIGSTOP, then SIGCONT) does not send the job another worker took: one delivery")
    func stalledWorker() async throws {
        let sink = try await SMTPSink()
        // The first RCPT waits 6 s: the first worker is connected and waiting when it is stopped.
        try sink.setMode("slowrcpt:6:1")
        let server = try await TestServer(mode: .processes)
        let environment = ["AUTH_SMTP_URL": sink.url, "AUTH_MAIL_LEASE": "2", "AUTH_SMTP_TIMEOUT": "20"]
        let stalled = try WorkerProcess(server: server, environment: environment, count: 1)
        #expect(try await server.signup("stalled@example.com").status == 201)
        // Connected and waiting for the answer to its RCPT when it is stopped.
        try await sink.waitForEvent("RCPT <stalled@example.com>")
        let pid = stalled.processes[0].processIdentifier
        kill(pid, SIGSTOP)
        let other = try WorkerProcess(server: server, environment: environment, count: 1)
        try await sink.waitFor(1, to: "stalled@example.com")
        kill(pid, SIGCONT)
        // The stalled worker's RCPT is answered about 6 s after it was sent; it must give up then.
        try await eventually("the stalled worker to give up (log: \(stalled.log))") { stalled.log.contains("lease lost") }
        // Once both workers have exited, no send of theirs is left to come.
        _ = await other.stop()
        _ = await stalled.stop()
        #expect(sink.messages(to: "stalled@example.com").count == 1, "delivered once")
        #expect(try await server.sql("SELECT state FROM mail_jobs") == ["done"])
        print("FAULT stalled-worker: deliveries \(sink.messages(to: "stalled@example.com").count), stalled worker logged lease lost")
    }

    @Test("A worker 4 s ahead takes a stalled worker's job as soon as the lease looks expired to it: the stalled worker, resumed before its own lease ends, does not send")
    func leaseUnderClockSkew() async throws {
        let sink = try await SMTPSink()
        try sink.setMode("slowrcpt:6:1")
        let server = try await TestServer(mode: .processes)
        // A 20 s lease: renewed every 6.7 s, and its permit ends ClockSkew.tolerated (5 s) before it.
        let environment = ["AUTH_SMTP_URL": sink.url, "AUTH_MAIL_LEASE": "20", "AUTH_SMTP_TIMEOUT": "60"]
        let stalled = try WorkerProcess(server: server, environment: environment, count: 1)
        #expect(try await server.signup("skewed-lease@example.com").status == 201)
        // Connected and waiting for the answer to its RCPT when it is stopped.
        try await sink.waitForEvent("RCPT <skewed-lease@example.com>")
        let pid = stalled.processes[0].processIdentifier
        kill(pid, SIGSTOP)
        let stopped = ContinuousClock.now
        let ahead = try WorkerProcess(server: server, environment: environment.merging(FakeClock.ahead(seconds: 4)) { $1 }, count: 1)
        try await sink.waitFor(1, to: "skewed-lease@example.com", timeout: .seconds(30))
        try await eventually("the job taken over to be done", observing: { try await server.sql("SELECT state FROM mail_jobs") },
                             until: { $0 == ["done"] })
        let takenAfter = ContinuousClock.now - stopped
        // The stalled worker's renewal would tell it the job is gone; held back, only the
        // permit stands between it and a second delivery.
        let lock = try await HeldLock(server)
        kill(pid, SIGCONT)
        let resumedAfter = ContinuousClock.now - stopped
        #expect(resumedAfter < .seconds(19), "resumed while its lease (taken before its RCPT, just before the stop) still ran by its own clock: \(resumedAfter)")
        // Its RCPT was answered while it was stopped: the DATA comes at once, if it comes. This
        // wait stays: its renewal is stuck behind the lock, so nothing it does can be waited for;
        // the point is that for these 2 s only the permit holds it back.
        try await Task.sleep(for: .seconds(2))
        let deliveries = sink.messages(to: "skewed-lease@example.com").count
        #expect(deliveries == 1, "delivered once")
        // The send ends once the stuck renewal returns: it waits for the lock.
        await lock.release()
        try await eventually("the stalled worker to give up (log: \(stalled.log))") { stalled.log.contains("lease lost") }
        // Once both workers have exited, no send of theirs is left to come.
        _ = await ahead.stop()
        _ = await stalled.stop()
        #expect(sink.messages(to: "skewed-lease@example.com").count == 1, "delivered once")
        #expect(try await server.sql("SELECT state FROM mail_jobs") == ["done"])
        print("FAULT lease-skew: worker 4 s ahead took the job \(takenAfter) after the stop, stalled worker resumed at \(resumedAfter), deliveries \(deliveries)")
    }

    // MARK: 5. SMTP servers that hang or drop the connection

    @Test("An SMTP server that never greets, and one that drops the connection after DATA: bounded by the timeouts, retried, delivered once")
    func smtpHangsAndDrops() async throws {
        let sink = try await SMTPSink()
        let server = try await TestServer(mode: .processes)
        let worker = try WorkerProcess(server: server, environment: [
            "AUTH_SMTP_URL": sink.url, "AUTH_SMTP_CONNECT_TIMEOUT": "1", "AUTH_SMTP_TIMEOUT": "2",
        ], count: 1)
        for (mode, email) in [("silent:2", "hang@example.com"), ("drop:2", "dropped@example.com")] {
            try sink.setMode(mode)
            let started = ContinuousClock.now
            #expect(try await server.signup(email).status == 201)
            try await eventually("\(mode): the mail to \(email) (worker log: \(worker.log))", timeout: .seconds(30)) {
                sink.messages(to: email).count >= 1
            }
            #expect(ContinuousClock.now - started < .seconds(15), "\(mode): two failed attempts bounded by the 2 s timeout, then delivery")
            // Done: no attempt of this job is left to come.
            let job = "FROM mail_jobs j JOIN users u ON u.id = j.user_id WHERE u.email_key = '\(email)'"
            try await eventually("\(mode): the job to be done", observing: { try await server.sql("SELECT j.state \(job)") }, until: { $0 == ["done"] })
            #expect(sink.messages(to: email).count == 1, "\(mode): delivered once")
            let attempts = try await server.sqlInt("SELECT attempts \(job)")
            #expect(attempts == 3, "\(mode): two failures, then the delivery")
            print("FAULT smtp-\(mode): delivered once after \(ContinuousClock.now - started), attempts \(attempts)")
            try sink.setMode("ok")
        }
        _ = await worker.stop()
    }

    // MARK: 6. Clock skew between replicas

    @Test("Replicas whose clocks are 4 s apart: tokens verify on both, cooldowns stretch by the skew only")
    func clockSkew() async throws {
        let server = try await TestServer(replicas: 1, mode: .processes)
        let ahead = try await TestServer(environment: FakeClock.ahead(seconds: 4), directory: server.directory, migrate: false, replicas: 1, mode: .processes)
        let normal = server.client(), skewed = ahead.client()
        // Tokens issued by the replica whose clock is ahead carry an iat 4 s in the future.
        let before = Int(Date().timeIntervalSince1970)
        let verified = try await ahead.verifiedUser("skew@example.com")
        let access = try #require(verified["access"]), refresh = try #require(verified["refresh"])
        let iat = try #require(TokenForge.claims(of: access)["iat"] as? Int)
        #expect(iat >= before + 3, "the fake clock is in effect: iat \(iat), \(before) before the request")
        #expect(try await normal.get(Path.me, bearer: access).status == 200, "a token from a replica ahead verifies")
        let rotated = try await normal.post(Path.refresh, ["refresh": refresh])
        #expect(rotated.status == 200, "\(rotated.text)")
        #expect(try await skewed.get(Path.me, bearer: try #require(rotated["access"])).status == 200)
        // The e-mail change's 60 s cooldown, started on the replica ahead, seen from the other: 4 s longer.
        let first = try await skewed.post(Path.emailChange, ["new_email": "skew-2@example.com", "password": TestServer.password], bearer: access)
        #expect(first.status == 202, "\(first.text)")
        let second = try await normal.post(Path.emailChange, ["new_email": "skew-3@example.com", "password": TestServer.password], bearer: access)
        #expect(second.status == 429, "\(second.text)")
        let wait = Int(second.header("Retry-After") ?? "") ?? 0
        #expect((61...65).contains(wait), "the cooldown seen from a replica 4 s behind: \(wait) s")
        print("FAULT clock-skew: iat ahead by \(iat - before) s, verified on the other replica; cooldown seen from behind \(wait) s")
    }
}
