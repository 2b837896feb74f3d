import Foundation

/// The shared throttle counters, implemented once for every backend that runs statements.
extension TransactionRunner {
    public func recordHit(keys: [String], limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        try await run(ThrottleWindow.recordHit(keys: keys, limit: limit, period: period, now: now))
    }

    public func removeLatestHit(keys: [String]) async throws {
        try await run(ThrottleWindow.removeLatestHit(keys: keys))
    }

    public func purgeHits(before: Date, limit: Int) async throws -> Int {
        try await execute(Retention.purgeHits(before: before, limit: limit))
    }
}
