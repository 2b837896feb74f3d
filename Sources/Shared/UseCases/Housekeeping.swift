import Foundation

/// Deleting what nothing can use any more; run periodically by the API process.
public struct Housekeeping: Sendable {
    let context: AccountContext

    public init(context: AccountContext) {
        self.context = context
    }

    /// Deletes expired sessions, codes, cooldowns, old audit events and stale throttle hits;
    /// returns the number of rows removed.
    public func purgeExpired() async throws -> Int {
        let removed = try await context.store.purgeExpired(now: context.clock.now(), retention: context.retention)
        return removed + (try await context.limiter.purge())
    }
}
