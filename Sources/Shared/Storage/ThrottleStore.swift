import Foundation

/// Shared rate-limit counters: a sliding window of hit times per key, as DRF's
/// `SimpleRateThrottle` keeps in its cache — but in the database, so every API replica counts
/// into the same window and the limits cannot be multiplied by the replica count.
public protocol ThrottleStore: Sendable {
    /// In one transaction: refuses when any key already has `limit` hits within `period`
    /// before `now`, returning the seconds until its oldest hit leaves the window; otherwise
    /// records one hit at `now` for every key and returns nil. Parallel calls are serialized
    /// per key, so a burst never gets past the limit.
    func recordHit(keys: [String], limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval?
    /// Removes the most recent hit of each key (a request that turned out not to count).
    func removeLatestHit(keys: [String]) async throws
    /// Deletes at most `limit` hits at or before `before`; returns how many.
    func purgeHits(before: Date, limit: Int) async throws -> Int
}
