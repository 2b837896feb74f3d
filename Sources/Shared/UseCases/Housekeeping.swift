import Foundation

/// Deleting what nothing can use any more; run periodically by the API process.
public struct Housekeeping: Sendable {
    let store: any AuthStore
    let throttle: Throttle
    let retention: RetentionPolicy
    let clock: any AuthClock

    /// Deletes expired sessions, codes, cooldowns, old audit events and stale throttle hits, in
    /// rounds of short transactions (`BatchedPurge`); returns the number of rows removed.
    public func purgeExpired() async throws -> Int {
        let now = clock.now()
        let removed = try await BatchedPurge.run { [store, retention] in
            try await store.purgeExpired(now: now, retention: retention, limit: $0)
        }
        return removed + (try await throttle.purge())
    }
}
