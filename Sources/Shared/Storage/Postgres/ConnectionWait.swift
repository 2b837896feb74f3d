import Synchronization

/// How long a request waits for a pooled PostgreSQL connection, and what refuses it sooner.
///
/// While the server is down the pool would hold requests until its connect timeout and beyond:
/// clients gave up after 10 s, and the work ran later, when the server was back. So a request
/// waits `Limits.wait` once a failure has been seen, then is refused (`unavailable`, 503) and a
/// connection lent after that runs nothing. While no failure has been seen the pool may only
/// be slow (opening connections on a loaded host takes seconds): a request past `wait` probes
/// the server's port, again every `probeInterval`; a refused port means the server is down and
/// every request is refused, else it waits up to `waitWhileServing`.
///
/// Evidence is used when it arrives, not at each request's own deadline: when an operation's
/// failure begins an outage, every request still waiting is refused at once. The stopped
/// server of the fault suite showed why: a signup whose lookup and insert ran just before the
/// stop then waited a full second for a connection to write its audit row, and answered after
/// 2 s, although the failure that ended its chances came in the first milliseconds.
final class ConnectionWait<C: Clock>: Sendable where C.Duration == Duration {
    struct Limits: Sendable {
        /// How long a request waits for a connection while a failure is known.
        var wait: Duration = .seconds(1)
        /// How long it waits while no failure has been seen and the port does not refuse.
        var waitWhileServing: Duration = .seconds(30)
        /// How often a request past `wait` looks again at its connection, the outage and the time.
        var recheck: Duration = .milliseconds(50)
        /// The least time between two probes of the port.
        var probeInterval: Duration = .milliseconds(250)
    }

    /// A request that is still unanswered, as the outage handling sees it.
    private struct Registered: Sendable {
        let refuseWaiting: @Sendable () -> Void
        let refuse: @Sendable () -> Void
    }

    private struct State {
        var nextID = 0
        var requests: [Int: Registered] = [:]
        var poolRunning = false
        var poolWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var probing = false
        var lastProbe: C.Instant?
    }

    let limits: Limits
    let clock: C
    let health: StorageHealth
    /// Asks whether the server's port refuses a connection (nothing listens: stopped or
    /// restarting) and answers through the callback; a timeout or an accepted connection is no.
    let probe: @Sendable (@escaping @Sendable (Bool) -> Void) -> Void
    private let state = Mutex(State())

    init(limits: Limits = Limits(), clock: C, health: StorageHealth, probe: @escaping @Sendable (@escaping @Sendable (Bool) -> Void) -> Void) {
        self.limits = limits
        self.clock = clock
        self.health = health
        self.probe = probe
    }

    static var refusal: StorageError { .unavailable(.databaseUnreachable) }

    /// Runs `work`, which asks the pool for a connection and lends it to the request, and
    /// answers with the request's answer: the body's outcome, or `unavailable` when the wait ran
    /// out, an outage began, or the lent connection closed under a body still running.
    ///
    /// `work` runs in a task of its own, the one unstructured task of a request, on purpose:
    /// postgres-nio never answers a statement written to a connection once NIO has taken the
    /// closed channel's handlers away (it writes without a promise), so a body can wait for good
    /// and the caller must be answered without waiting for it. Once answered the task is
    /// cancelled: a lease still waited for is withdrawn from the pool. A cancelled caller is
    /// answered at once with `CancellationError`.
    func run<T: Sendable>(_ work: @escaping @Sendable (LeaseRequest<T>) async -> Void) async throws -> T {
        let request = LeaseRequest<T>()
        let id = register(request)
        defer { unregister(id) }
        let worker = Task { await work(request) }
        defer { worker.cancel() }
        let started = clock.now
        return try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.watch(request, since: started) }
                defer { group.cancelAll() }
                return try await request.answer()
            }
        } onCancel: {
            request.refuse(CancellationError())
        }
    }

    /// An operation's failure began an outage: the requests still waiting for a connection are
    /// refused now, rather than each at its own deadline; bodies already running go on.
    func outageBegan() {
        for request in registered() { request.refuseWaiting() }
    }

    /// The pool runs (its service started): requests waiting for that go on.
    func poolStarted() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.poolRunning = true
            defer { state.poolWaiters = [:] }
            return Array(state.poolWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the pool runs: postgres-nio holds a lease asked for earlier, but logs a
    /// warning for each. Throws `CancellationError` when the task is cancelled first.
    func untilPoolRuns() async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.poolRunning || Task.isCancelled { return true }
                    state.poolWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.poolWaiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Refuses `request` once it has waited past `Limits.wait` and no connection can be hoped
    /// for; a running body is abandoned only when its connection has closed or the server is gone.
    private func watch<T>(_ request: LeaseRequest<T>, since started: C.Instant) async {
        do {
            try await clock.sleep(until: started.advanced(by: limits.wait), tolerance: nil)
        } catch {
            return
        }
        while true {
            switch request.phase {
            case .answered:
                return
            case .lent:
                // A statement written as the connection closed is never answered: the closed
                // connection commits nothing more, so its request is answered now.
                if request.lentConnectionClosed {
                    request.refuse(Self.refusal)
                    return
                }
                if health.outage != nil { probeIfDue() }
            case .waiting:
                if health.outage != nil || started.duration(to: clock.now) >= limits.waitWhileServing {
                    request.refuseWaiting(Self.refusal)
                    return
                }
                probeIfDue()
            }
            do {
                try await clock.sleep(until: clock.now.advanced(by: limits.recheck), tolerance: nil)
            } catch {
                return
            }
        }
    }

    /// Starts a probe of the port unless one is under way or the last began less than
    /// `probeInterval` ago: a server that was still closing when probed is probed again.
    private func probeIfDue() {
        let now = clock.now
        let due = state.withLock { state -> Bool in
            guard !state.probing else { return false }
            if let last = state.lastProbe, last.duration(to: now) < limits.probeInterval { return false }
            state.probing = true
            state.lastProbe = now
            return true
        }
        guard due else { return }
        probe { [self] refused in
            state.withLock { $0.probing = false }
            if refused { serverDown() }
        }
    }

    /// The port refuses: the server is down, and every request is refused, waiting or running
    /// (a running body's server can commit nothing more).
    private func serverDown() {
        health.failed(.databaseUnreachable)
        for request in registered() { request.refuse() }
    }

    private func register<T>(_ request: LeaseRequest<T>) -> Int {
        let refusal = Self.refusal
        let entry = Registered(
            refuseWaiting: { request.refuseWaiting(refusal) },
            refuse: { request.refuse(refusal) })
        return state.withLock { state in
            state.nextID += 1
            state.requests[state.nextID] = entry
            return state.nextID
        }
    }

    private func unregister(_ id: Int) {
        _ = state.withLock { $0.requests.removeValue(forKey: id) }
    }

    private func registered() -> [Registered] {
        state.withLock { Array($0.requests.values) }
    }
}
