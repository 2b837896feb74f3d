import Foundation

/// DRF's sliding window over stored hit times, checked and recorded in one transaction, for
/// both databases: the one home of "is this caller over the limit". On PostgreSQL each key's
/// advisory lock, taken in a fixed order (no deadlock between requests that share keys),
/// serializes replicas; on SQLite the write transaction does.
extension TransactionRunner {
    /// Refuses when any key already has `limit` hits within `period` before `now`, returning the
    /// seconds until its oldest hit leaves the window; otherwise records one hit for every key.
    public func recordHit(keys: [String], limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        guard !keys.isEmpty else { return nil }
        let t = now.timeIntervalSince1970
        return try await run(.writes(ThrottleRules.locks(keys), then: .read(keys.map { key in
            SQLStatement("SELECT COUNT(*) AS hits, MIN(at) AS oldest FROM throttle_hits WHERE key = ? AND at > ?", key, t - period)
        }) { counts in
            var wait: TimeInterval = 0
            for row in counts.compactMap(\.first) where try row.int("hits") >= limit {
                if let oldest = try row.optionalDouble("oldest") { wait = max(wait, oldest + period - t) }
            }
            if wait > 0 { return .done(wait) }
            return .writes(keys.map { SQLStatement("INSERT INTO throttle_hits (key, at) VALUES (?, ?)", $0, t) }, then: .done(nil))
        }))
    }

    /// Removes each key's most recent hit; under the keys' locks, two parallel removals take two
    /// different hits.
    public func removeLatestHit(keys: [String]) async throws {
        try await run(.writes(ThrottleRules.locks(keys) + keys.map { key in
            SQLStatement("""
                DELETE FROM throttle_hits WHERE {hit id} =
                    (SELECT {hit id} FROM throttle_hits WHERE key = ? ORDER BY at DESC, {hit id} DESC LIMIT 1)
                """, key)
        }, then: .done(())))
    }
}

/// The keys' locks.
enum ThrottleRules {
    static func locks(_ keys: [String]) -> [SQLStatement] {
        Set(keys).sorted().map { SQLStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", $0, only: .postgres) }
    }
}
