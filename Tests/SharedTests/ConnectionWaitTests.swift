import Synchronization
import Testing
@testable import Shared

/// The bounded wait for a pooled PostgreSQL connection, without a server: the pool is played
/// by the work closure (it lends when the test says so), the port probe by `Probes`, and time
/// by `TestClock`.
@Suite("Connection wait: a pooled connection in time, or a refusal", .timeLimit(.minutes(1)))
struct ConnectionWaitTests {
    /// The probes `ConnectionWait` asked for; the test answers them.
    final class Probes: Sendable {
        private let pending = Mutex<[@Sendable (Bool) -> Void]>([])
        private let asked = Mutex(0)

        func probe(_ answer: @escaping @Sendable (Bool) -> Void) {
            asked.withLock { $0 += 1 }
            pending.withLock { $0.append(answer) }
        }

        var count: Int { asked.withLock { $0 } }

        /// Waits until `count` probes were asked for.
        func asked(_ count: Int) async {
            while self.count < count { await Task.yield() }
        }

        /// Answers every probe asked for so far.
        func answer(refused: Bool) {
            for answer in pending.withLock({ pending in defer { pending = [] }; return pending }) { answer(refused) }
        }
    }

    /// A value set once by a request's work, waited for by the test.
    final class Slot<Value: Sendable>: Sendable {
        private let value = Mutex<Value?>(nil)

        func set(_ newValue: Value) { value.withLock { $0 = newValue } }

        func get() async -> Value {
            while true {
                if let current = value.withLock({ $0 }) { return current }
                await Task.yield()
            }
        }
    }

    static let limits = ConnectionWait<TestClock>.Limits(
        wait: .seconds(1), waitWhileServing: .seconds(30), recheck: .milliseconds(50), probeInterval: .milliseconds(250))
    static let refusal = StorageError.unavailable(.databaseUnreachable)

    let clock = TestClock()
    let health = StorageHealth()
    let probes = Probes()

    func connectionWait(_ limits: ConnectionWait<TestClock>.Limits = Self.limits) -> ConnectionWait<TestClock> {
        let probes = self.probes
        return ConnectionWait(limits: limits, clock: clock, health: health) { probes.probe($0) }
    }

    /// The pool of a test: it lends a connection when the test yields to it.
    static func pool() -> (lends: AsyncStream<Void>, lend: AsyncStream<Void>.Continuation) {
        let (lends, lend) = AsyncStream.makeStream(of: Void.self)
        return (lends, lend)
    }

    /// Waits for the pool's turn (or cancellation), then lends and runs a body that answers `value`.
    static func lendWhenTold(_ lends: AsyncStream<Void>, value: Int, lent: Slot<Bool>, closed: @escaping @Sendable () -> Bool = { false })
        -> @Sendable (LeaseRequest<Int>) async -> Void {
        { request in
            for await _ in lends { break }
            let granted = request.lend(connectionClosed: closed)
            lent.set(granted)
            if granted { request.finish(.success(value)) }
        }
    }

    /// Waits until cancelled (once the request is answered): a pool that never lends, or a
    /// body that never ends.
    static func untilCancelled() async {
        let (stream, end) = AsyncStream.makeStream(of: Void.self)
        await withTaskCancellationHandler {
            for await _ in stream {}
        } onCancel: {
            end.finish()
        }
    }

    /// Moves the clock on in `steps` of `step`, each once the watching request sleeps on it.
    func advance(_ steps: Int, by step: Duration) async {
        for _ in 0..<steps {
            await clock.sleepers(1)
            clock.advance(by: step)
        }
    }

    static func outcome(_ body: () async throws -> Int) async -> Result<Int, StorageError> {
        do {
            return .success(try await body())
        } catch let error as StorageError {
            return .failure(error)
        } catch {
            Issue.record("unexpected error \(error)")
            return .failure(.notMigrated("\(error)"))
        }
    }

    @Test("A connection lent in time runs the body: its answer is the caller's, and nothing is probed")
    func lentInTime() async throws {
        // Given a pool that lends at once
        let wait = connectionWait()
        let lent = Slot<Bool>()
        let (lends, lend) = Self.pool()
        lend.yield()
        // When a request runs
        let answer = try await wait.run(Self.lendWhenTold(lends, value: 42, lent: lent))
        // Then it ran on the connection and nothing else happened
        #expect(answer == 42)
        #expect(await lent.get())
        #expect(probes.count == 0 && health.outage == nil)
    }

    @Test("Still waiting when the wait runs out during an outage: refused, and a connection lent afterwards runs nothing")
    func refusedAtDeadlineDuringOutage() async throws {
        // Given an outage already known and a pool that has not lent
        health.failed(.databaseUnreachable)
        let wait = connectionWait()
        let lent = Slot<Bool>()
        let request = Slot<LeaseRequest<Int>>()
        let (lends, lend) = Self.pool()
        let work = Self.lendWhenTold(lends, value: 1, lent: lent)
        async let answer = Self.outcome {
            try await wait.run { (lease: LeaseRequest<Int>) in
                request.set(lease)
                await work(lease)
            }
        }
        // When the wait runs out: not before
        await advance(1, by: .milliseconds(999))
        await clock.sleepers(1)
        #expect(await request.get().phase == .waiting)
        clock.advance(by: .milliseconds(1))
        // Then the request is refused, and the pool's later connection is not taken
        #expect(await answer == .failure(Self.refusal))
        lend.yield()
        #expect(await lent.get() == false)
        #expect(probes.count == 0)
    }

    @Test("Past the wait with no failure seen: the port is probed; refused, the outage begins and the request is refused")
    func probeFindsServerDown() async throws {
        // Given no failure seen and a pool that does not lend
        let wait = connectionWait()
        async let answer = Self.outcome { try await wait.run { (_: LeaseRequest<Int>) in await Self.untilCancelled() } }
        // When the wait runs out, the port is probed
        await advance(1, by: .seconds(1))
        await probes.asked(1)
        // Then a refused port ends the wait
        probes.answer(refused: true)
        #expect(await answer == .failure(Self.refusal))
        #expect(health.outage == .databaseUnreachable)
    }

    @Test("A port that still listens (a stopping server) is probed again: the request is refused once a later probe is refused")
    func probedAgain() async throws {
        // Given no failure seen, a pool that does not lend, and a first probe answered "listening"
        let wait = connectionWait()
        async let answer = Self.outcome { try await wait.run { (_: LeaseRequest<Int>) in await Self.untilCancelled() } }
        await advance(1, by: .seconds(1))
        await probes.asked(1)
        probes.answer(refused: false)
        // When time passes in rechecks: no second probe before probeInterval, one at it
        await advance(4, by: .milliseconds(50))
        #expect(probes.count == 1)
        await advance(1, by: .milliseconds(50))
        await probes.asked(2)
        // Then the second probe, refused, ends the wait
        probes.answer(refused: true)
        #expect(await answer == .failure(Self.refusal))
    }

    @Test("With no failure seen and a listening port, a request waits up to waitWhileServing, then is refused")
    func waitsWhileServing() async throws {
        // Given a listening port (probes answered no) and a short waitWhileServing
        let wait = connectionWait(.init(wait: .seconds(1), waitWhileServing: .seconds(3), recheck: .milliseconds(500), probeInterval: .seconds(10)))
        async let answer = Self.outcome { try await wait.run { (_: LeaseRequest<Int>) in await Self.untilCancelled() } }
        await advance(1, by: .seconds(1))
        await probes.asked(1)
        probes.answer(refused: false)
        // When 3 s have passed in all
        await advance(4, by: .milliseconds(500))
        // Then the request is refused, without a second probe and without an outage of its own
        #expect(await answer == .failure(Self.refusal))
        #expect(probes.count == 1 && health.outage == nil)
    }

    @Test("A body still running when its connection has closed is abandoned; on an open connection it runs on")
    func closedConnectionAbandoned() async throws {
        // Given a body that runs for good on a lent connection, open at first
        let wait = connectionWait()
        let closed = Mutex(false)
        let request = Slot<LeaseRequest<Int>>()
        async let answer = Self.outcome {
            try await wait.run { (lease: LeaseRequest<Int>) in
                request.set(lease)
                _ = lease.lend { closed.withLock { $0 } }
                await Self.untilCancelled()
            }
        }
        let lease = await request.get()
        // When the wait runs out, the body runs on
        await advance(1, by: .seconds(1))
        await clock.sleepers(1)
        #expect(lease.phase == .lent)
        // Then once its connection has closed, the next look abandons it
        closed.withLock { $0 = true }
        clock.advance(by: .milliseconds(50))
        #expect(await answer == .failure(Self.refusal))
    }

    @Test("An outage beginning refuses every request still waiting at once; a body already running goes on")
    func outageRefusesWaiting() async throws {
        // Given one request running on a lent connection and one waiting for the pool
        let wait = connectionWait()
        let running = Slot<LeaseRequest<Int>>()
        let (ends, end) = Self.pool()
        async let runningAnswer = Self.outcome {
            try await wait.run { (lease: LeaseRequest<Int>) in
                _ = lease.lend { false }
                running.set(lease)
                for await _ in ends { break }
                lease.finish(.success(7))
            }
        }
        async let waitingAnswer = Self.outcome { try await wait.run { (_: LeaseRequest<Int>) in await Self.untilCancelled() } }
        let lease = await running.get()
        await clock.sleepers(2)
        // When an operation's failure begins an outage, long before either deadline
        wait.outageBegan()
        // Then the waiting request is refused now, and the running one answers when its body ends
        #expect(await waitingAnswer == .failure(Self.refusal))
        #expect(lease.phase == .lent)
        end.yield()
        #expect(await runningAnswer == .success(7))
    }

    @Test("A request made before the pool runs waits for it")
    func waitsForThePool() async throws {
        let wait = connectionWait()
        let passed = Slot<Bool>()
        async let waited: Void = {
            try await wait.untilPoolRuns()
            passed.set(true)
        }()
        wait.poolStarted()
        try await waited
        #expect(await passed.get())
        // Once it runs, nobody waits.
        try await wait.untilPoolRuns()
    }

    @Test("A cancelled caller is answered at once with CancellationError, and its work is cancelled")
    func cancelledCaller() async throws {
        let wait = connectionWait()
        let workCancelled = Slot<Bool>()
        let caller = Task {
            try await wait.run { (_: LeaseRequest<Int>) in
                await Self.untilCancelled()
                workCancelled.set(Task.isCancelled)
            }
        }
        await clock.sleepers(1)
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(await workCancelled.get())
    }
}
