import ServiceLifecycle

/// Deletes a backlog in rounds of at most `batch` rows per table, each round its own short
/// transaction, resting between rounds as long as the round took. Once a retention window is
/// full, each hourly purge meets an hour's rows at once (450 000 audit events at the soak's
/// rate): deleted in one SQLite transaction, a concurrent refresh waited 1.5 s for the write
/// lock; in these rounds the slowest took 13 ms (`make bench-purge`, RELIABILITY.md).
public enum BatchedPurge {
    /// Rows one round deletes from one table at most (about 45 ms of SQLite's write lock).
    public static let batch = 500

    /// Runs `round(batch)` until a round removes less than a batch, or the process is stopping;
    /// returns the rows removed in all.
    public static func run(batch: Int = batch, rest: Bool = true, _ round: (Int) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let started = ContinuousClock.now
            let removed = try await round(batch)
            total += removed
            guard removed >= batch, !Task.isCancelled, !Task.isShuttingDownGracefully else { return total }
            // Other writers (the other process's too, whose busy handler polls) get the lock meanwhile.
            if rest { try? await Task.sleep(for: ContinuousClock.now - started) }
        }
    }
}
