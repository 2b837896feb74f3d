import Foundation
import GRDB

extension AppDatabase: ThrottleStore {
    public func recordHit(keys: [String], limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        // A write transaction (BEGIN IMMEDIATE) serializes every process's check-and-record.
        try await pool.write { db in
            let t = now.timeIntervalSince1970
            var wait: TimeInterval = 0
            for key in keys {
                let row = try Row.fetchOne(
                    db, sql: "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM throttle_hits WHERE key = ? AND at > ?",
                    arguments: [key, t - period])
                let count: Int = row?["n"] ?? 0
                if count >= limit, let oldest: Double = row?["oldest"] {
                    wait = max(wait, oldest + period - t)
                }
            }
            if wait > 0 { return wait }
            for key in keys {
                try db.execute(sql: "INSERT INTO throttle_hits (key, at) VALUES (?, ?)", arguments: [key, t])
            }
            return nil
        }
    }

    public func removeLatestHit(keys: [String]) async throws {
        try await pool.write { db in
            for key in keys {
                try db.execute(
                    sql: """
                        DELETE FROM throttle_hits WHERE rowid =
                            (SELECT rowid FROM throttle_hits WHERE key = ? ORDER BY at DESC, rowid DESC LIMIT 1)
                        """,
                    arguments: [key])
            }
        }
    }

    public func purgeHits(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM throttle_hits WHERE at <= ?", arguments: [before.timeIntervalSince1970])
            return db.changesCount
        }
    }
}
