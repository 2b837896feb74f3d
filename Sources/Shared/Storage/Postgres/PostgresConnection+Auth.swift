import Foundation
import Logging
import PostgresNIO

/// The helpers the migrations run their statements with (the rules go through `TransactionRunner`).
extension PostgresConnection {
    /// The rows of a query, collected.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}
