import Foundation

/// Deleting what nothing can use any more; run periodically by the API process.
public struct Housekeeping: Sendable {
    let context: AccountContext

    public init(context: AccountContext) {
        self.context = context
    }

    /// Deletes expired sessions, codes, cooldowns, old audit events and stale throttle hits, in
    /// rounds of short transactions (`BatchedPurge`); returns the number of rows removed.
    public func purgeExpired() async throws -> Int {
        let now = context.clock.now()
        let removed = try await BatchedPurge.run { [context] in
            try await context.store.purgeExpired(now: now, retention: context.retention, limit: $0)
        }
        return removed + (try await context.limiter.purge())
    }
}
