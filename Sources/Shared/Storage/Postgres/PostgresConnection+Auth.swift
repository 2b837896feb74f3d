import Foundation
import Logging
import PostgresNIO

/// The helpers every statement of this backend goes through (the rules' statements through
/// `TransactionRunner`, the migrations and the transaction's own `BEGIN`/`COMMIT` directly).
extension PostgresConnection {
    /// The rows of a query, collected.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await rows(query, logger: logger)
    }

}
