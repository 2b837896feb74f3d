import Crypto
import Foundation

/// Sliding-window rate limiting as DRF's `SimpleRateThrottle` (a history of request times per
/// key), kept in the database (`ThrottleStore`) so every API process and replica counts into one
/// window: limits hold across replicas, and a burst of parallel requests never gets past them.
public struct RateLimiter: Sendable {
    public let enabled: Bool
    public let rates: ThrottleRates
    let store: any ThrottleStore
    let clock: any AuthClock

    public init(enabled: Bool, rates: ThrottleRates, store: any ThrottleStore, clock: any AuthClock) {
        self.enabled = enabled
        self.rates = rates
        self.store = store
        self.clock = clock
    }

    /// Records one request for every key, or none when any key is over its rate.
    /// Returns nil when allowed, else the whole seconds until the request would be allowed (≥ 1).
    public func acquire(_ scope: ThrottleScope, keys: [ThrottleKey]) async throws -> Int? {
        guard enabled else { return nil }
        let rate = rates[scope]
        guard let wait = try await store.recordHit(
            keys: keys.map { Self.bounded(scope, $0.stored) }, limit: rate.count, period: rate.period, now: clock.now())
        else { return nil }
        return max(1, Int(wait.rounded(.up)))
    }

    /// Gives back the request just recorded (a successful login does not count as a failure).
    public func release(_ scope: ThrottleScope, keys: [ThrottleKey]) async throws {
        guard enabled else { return }
        try await store.removeLatestHit(keys: keys.map { Self.bounded(scope, $0.stored) })
    }

    /// Forgets hits that no window can still count.
    public func purge() async throws -> Int {
        let cutoff = clock.now().addingTimeInterval(-longestPeriod)
        return try await BatchedPurge.run { try await store.purgeHits(before: cutoff, limit: $0) }
    }

    /// The stored key: scope and client key, long ones as their SHA-256 so one row costs the
    /// same whatever a client sends (keys hold client-supplied addresses).
    static func bounded(_ scope: ThrottleScope, _ key: String) -> String {
        let full = scope.rawValue + "|" + key
        guard full.utf8.count > 96 else { return full }
        return scope.rawValue + "|sha256:" + Hex.encode(SHA256.hash(data: Data(key.utf8)))
    }

    /// A history older than the longest period can no longer refuse anything.
    var longestPeriod: TimeInterval { rates.rates.values.map(\.period).max() ?? 86_400 }
}
