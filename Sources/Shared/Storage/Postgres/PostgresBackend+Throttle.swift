import Foundation
import PostgresNIO

extension PostgresBackend: ThrottleStore {
    public func purgeHits(before: Date) async throws -> Int {
        try await client.withConnection { connection in
            try await connection.count("DELETE FROM throttle_hits WHERE at <= \(before.timeIntervalSince1970) RETURNING 1", logger: logger)
        }
    }
}
