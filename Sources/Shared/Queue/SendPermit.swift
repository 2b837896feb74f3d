import Synchronization

/// Whether this worker may still put a job's message on the wire: true until the job's lease
/// may have passed to another worker. The lease is only renewed while the worker runs; a
/// worker that stalls (stopped, swapped out, a frozen VM) past its lease finds, when it runs
/// again, that another worker may already have claimed and sent the job. The mailer asks the
/// permit right before it hands the message body to the server and again before it ends the
/// message, so a stalled worker aborts the transaction instead of delivering a second copy.
///
/// Measured on this process's monotonic clock, which goes on while the process is stopped;
/// the lease itself is judged by other workers on their wall clocks, so the permit ends
/// `toleratedSkew` before the lease does.
public final class SendPermit: Sendable {
    private struct State {
        var validUntil: ContinuousClock.Instant
        var revoked: Bool
    }

    private let state: Mutex<State>
    let lease: Duration
    let toleratedSkew: Duration

    /// The clock skew between workers the lease tolerates: `ClockSkew.tolerated`, or a quarter
    /// of a lease shorter than four times that.
    public static func toleratedSkew(lease: Duration) -> Duration { min(.milliseconds(Int64(ClockSkew.tolerated * 1_000)), lease / 4) }

    /// `leasedAt`: an instant taken before the claim (or renewal) was sent, so the permit never
    /// outlasts the lease the database recorded.
    public init(leasedAt: ContinuousClock.Instant, lease: Duration) {
        self.lease = lease
        toleratedSkew = Self.toleratedSkew(lease: lease)
        state = Mutex(State(validUntil: leasedAt + lease - toleratedSkew, revoked: false))
    }

    /// The lease was renewed by a request sent at `renewedAt`.
    func renewed(at renewedAt: ContinuousClock.Instant) {
        state.withLock { state in
            guard !state.revoked else { return }
            state.validUntil = max(state.validUntil, renewedAt + lease - toleratedSkew)
        }
    }

    /// The renewal found the lease gone: another worker holds the job.
    func revoke() {
        state.withLock { $0.revoked = true }
    }

    public var isValid: Bool { isValid(at: .now) }

    func isValid(at now: ContinuousClock.Instant) -> Bool {
        state.withLock { !$0.revoked && now < $0.validUntil }
    }
}
