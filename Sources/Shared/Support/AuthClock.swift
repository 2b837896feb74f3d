import Foundation
import Synchronization

/// The source of "now" for domain code, injected so that expiry is tested by moving a clock.
public protocol AuthClock: Sendable {
    func now() -> Date
}

/// Wall-clock time.
public struct SystemClock: AuthClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to: for tests of expiry without sleeping.
public final class ManualClock: AuthClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
