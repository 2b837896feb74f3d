import Crypto
import Foundation
import Synchronization

/// Sliding-window rate limiting as DRF's `SimpleRateThrottle` (a history of request times per key),
/// checked and recorded under one lock so a burst of parallel requests never gets past the limit.
/// Memory is bounded: keys whose history has expired are swept, and the table has a size cap.
public final class RateLimiter: Sendable {
    public let enabled: Bool
    public let rates: ThrottleRates
    let clock: any AuthClock
    let maxKeys: Int

    private struct State {
        var histories: [String: [TimeInterval]] = [:]
        var operationsSinceSweep = 0
    }

    private let state = Mutex(State())

    public init(enabled: Bool, rates: ThrottleRates, clock: any AuthClock, maxKeys: Int = 100_000) {
        self.enabled = enabled
        self.rates = rates
        self.clock = clock
        self.maxKeys = maxKeys
    }

    /// Records one request for every key, or none when any key is over its rate.
    /// Returns nil when allowed, else the seconds until the request would be allowed (≥ 1).
    public func acquire(_ scope: ThrottleScope, keys: [String]) -> Int? {
        guard enabled else { return nil }
        let rate = rates[scope]
        let now = clock.now().timeIntervalSince1970
        return state.withLock { state in
            state.operationsSinceSweep += 1
            if state.operationsSinceSweep >= 1_000 || state.histories.count >= maxKeys {
                Self.sweep(&state, now: now, maxAge: longestPeriod, maxKeys: maxKeys)
            }
            var wait = 0
            for key in keys.map(Self.bounded) {
                let full = scope.rawValue + "|" + key
                var history = state.histories[full] ?? []
                history.removeAll { $0 <= now - rate.period }
                state.histories[full] = history
                if history.count >= rate.count, let oldest = history.first {
                    wait = max(wait, Int((oldest + rate.period - now).rounded(.up)), 1)
                }
            }
            if wait > 0 { return wait }
            for key in keys.map(Self.bounded) {
                state.histories[scope.rawValue + "|" + key, default: []].append(now)
            }
            return nil
        }
    }

    /// Gives back the request just recorded (a successful login does not count as a failure).
    public func release(_ scope: ThrottleScope, keys: [String]) {
        guard enabled else { return }
        state.withLock { state in
            for key in keys.map(Self.bounded) {
                let full = scope.rawValue + "|" + key
                if var history = state.histories[full], !history.isEmpty {
                    history.removeLast()
                    state.histories[full] = history.isEmpty ? nil : history
                }
            }
        }
    }

    /// Keys are client-supplied (addresses): long ones are stored as their SHA-256, so one
    /// entry costs the same whatever a client sends.
    static func bounded(_ key: String) -> String {
        guard key.utf8.count > 96 else { return key }
        return "sha256:" + SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A history older than the longest period can no longer refuse anything.
    var longestPeriod: TimeInterval { rates.rates.values.map(\.period).max() ?? 86_400 }

    /// Number of keys held: for tests of the memory bound.
    public var keyCount: Int { state.withLock { $0.histories.count } }

    private static func sweep(_ state: inout State, now: TimeInterval, maxAge: TimeInterval, maxKeys: Int) {
        state.operationsSinceSweep = 0
        state.histories = state.histories.filter { _, history in
            guard let newest = history.last else { return false }
            return newest > now - maxAge
        }
        if state.histories.count >= maxKeys {
            // Still full of live keys: forget the least recently used half rather than grow.
            let keep = state.histories.sorted { ($0.value.last ?? 0) > ($1.value.last ?? 0) }.prefix(maxKeys / 2)
            state.histories = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
