import Foundation
import GRDB

extension AppDatabase: ThrottleStore {
    public func purgeHits(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM throttle_hits WHERE at <= ?", arguments: [before.timeIntervalSince1970])
            return db.changesCount
        }
    }
}
