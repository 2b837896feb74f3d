import Foundation

/// DRF's sliding window over stored hit times, checked and recorded in one transaction: the
/// one home of "is this caller over the limit". On PostgreSQL each key's advisory lock, taken
/// in a fixed order (no deadlock between requests that share keys), serializes replicas; on
/// SQLite the write transaction does.
enum ThrottleWindow {
    static func recordHit(keys: [String], limit: Int, period: TimeInterval, now: Date) -> TransactionStep<TimeInterval?> {
        let t = now.timeIntervalSince1970
        @Sendable func count(from index: Int, wait: TimeInterval) -> TransactionStep<TimeInterval?> {
            guard index < keys.count else {
                if wait > 0 { return .done(wait) }
                return .writes(keys.map { SQLStatement("INSERT INTO throttle_hits (key, at) VALUES (?, ?)", $0, t) }, then: .done(nil))
            }
            return .read(SQLStatement(
                "SELECT COUNT(*) AS hits, MIN(at) AS oldest FROM throttle_hits WHERE key = ? AND at > ?", keys[index], t - period
            )) { rows in
                var wait = wait
                if let row = rows.first, try row.int("hits") >= limit, let oldest = try row.optionalDouble("oldest") {
                    wait = max(wait, oldest + period - t)
                }
                return count(from: index + 1, wait: wait)
            }
        }
        return .writes(locks(keys), then: count(from: 0, wait: 0))
    }

    /// Removes each key's most recent hit; under the keys' locks, two parallel removals take two
    /// different hits.
    static func removeLatestHit(keys: [String]) -> TransactionStep<Void> {
        .writes(locks(keys) + keys.map { key in
            SQLStatement("""
                DELETE FROM throttle_hits WHERE {hit id} =
                    (SELECT {hit id} FROM throttle_hits WHERE key = ? ORDER BY at DESC, {hit id} DESC LIMIT 1)
                """, key)
        }, then: .done(()))
    }

    static func locks(_ keys: [String]) -> [SQLStatement] {
        Set(keys).sorted().map { SQLStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", $0, only: .postgres) }
    }
}
