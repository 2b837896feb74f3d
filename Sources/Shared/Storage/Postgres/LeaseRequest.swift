import Synchronization

/// One request for a pooled connection, answered once: by its body's outcome when the pool lent
/// a connection in time, or by a refusal when `ConnectionWait` gave up on it first. A connection
/// lent after the refusal runs nothing, so a request whose caller was told it failed never
/// commits later.
final class LeaseRequest<Value: Sendable>: Sendable {
    enum Phase: Equatable, Sendable {
        /// Waiting for the pool to lend a connection.
        case waiting
        /// Running its body on a lent connection.
        case lent
        /// Answered: by the body, or refused.
        case answered
    }

    private struct State {
        var phase = Phase.waiting
        var connectionClosed: (@Sendable () -> Bool)?
        var answer: Result<Value, any Error>?
        var continuation: CheckedContinuation<Value, any Error>?
    }

    private let state = Mutex(State())

    var phase: Phase { state.withLock { $0.phase } }

    /// Whether the connection lent to the running body has closed (false when none is lent).
    var lentConnectionClosed: Bool {
        guard let closed = state.withLock({ $0.phase == .lent ? $0.connectionClosed : nil }) else { return false }
        return closed()
    }

    /// The pool lent a connection (`connectionClosed` tells whether it has closed since): false
    /// when the request was refused meanwhile, and the connection must then run nothing.
    func lend(connectionClosed: @escaping @Sendable () -> Bool) -> Bool {
        state.withLock { state in
            guard state.phase == .waiting else { return false }
            state.phase = .lent
            state.connectionClosed = connectionClosed
            return true
        }
    }

    /// The body's outcome, or the pool's failure to lend: the answer, unless the request was
    /// refused first (the caller has its answer already).
    func finish(_ result: Result<Value, any Error>) {
        _ = settle(result) { _ in true }
    }

    /// Refuses the request with `error` if it is still waiting for a connection: a body already
    /// running goes on. Returns whether it refused.
    @discardableResult
    func refuseWaiting(_ error: any Error) -> Bool {
        settle(.failure(error)) { $0 == .waiting }
    }

    /// Refuses the request with `error` unless it has its answer, whether it waits or runs: a
    /// running body goes on unheard (its connection is closed or its server gone, so it can
    /// commit nothing more). Returns whether it refused.
    @discardableResult
    func refuse(_ error: any Error) -> Bool {
        settle(.failure(error)) { _ in true }
    }

    /// Waits for the answer (once).
    func answer() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Value, any Error>? in
                if let answer = state.answer { return answer }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Records `result` as the answer when the request is not answered yet and `allowed` in
    /// its phase; resumes the waiting caller.
    private func settle(_ result: Result<Value, any Error>, when allowed: (Phase) -> Bool) -> Bool {
        let (answered, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard state.phase != .answered, allowed(state.phase) else { return (false, nil) }
            state.phase = .answered
            state.connectionClosed = nil
            state.answer = result
            defer { state.continuation = nil }
            return (true, state.continuation)
        }
        waiter?.resume(with: result)
        return answered
    }
}
