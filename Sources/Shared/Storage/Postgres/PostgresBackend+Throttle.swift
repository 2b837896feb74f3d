import Foundation
import PostgresNIO

extension PostgresBackend: ThrottleStore {
    public func recordHit(keys: [String], limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        let t = now.timeIntervalSince1970
        return try await transaction { connection in
            try await Self.lockKeys(keys, connection, logger: logger)
            var wait: TimeInterval = 0
            for key in keys {
                guard let row = try await connection.rows(
                    "SELECT COUNT(*) AS hits, MIN(at) AS oldest FROM throttle_hits WHERE key = \(key) AND at > \(t - period)", logger: logger
                ).first else { continue }
                let named = NamedRow(row)
                let count: Int = try named["hits"], oldest: Double? = try named["oldest"]
                if count >= limit, let oldest { wait = max(wait, oldest + period - t) }
            }
            if wait > 0 { return wait }
            for key in keys {
                try await connection.run("INSERT INTO throttle_hits (key, at) VALUES (\(key), \(t))", logger: logger)
            }
            return nil
        }
    }

    public func removeLatestHit(keys: [String]) async throws {
        try await transaction { connection in
            // Under the keys' locks, two parallel removals take two different hits.
            try await Self.lockKeys(keys, connection, logger: logger)
            for key in keys {
                try await connection.run("""
                    DELETE FROM throttle_hits WHERE id =
                        (SELECT id FROM throttle_hits WHERE key = \(key) ORDER BY at DESC, id DESC LIMIT 1)
                    """, logger: logger)
            }
        }
    }

    /// One advisory lock per key, taken in a fixed order (no deadlock between requests that
    /// share keys), held until commit: check-and-record is atomic across replicas.
    static func lockKeys(_ keys: [String], _ connection: PostgresConnection, logger: Logger) async throws {
        for key in Set(keys).sorted() {
            try await connection.run("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        }
    }

    public func purgeHits(before: Date) async throws -> Int {
        try await client.withConnection { connection in
            try await connection.count("DELETE FROM throttle_hits WHERE at <= \(before.timeIntervalSince1970) RETURNING 1", logger: logger)
        }
    }
}
