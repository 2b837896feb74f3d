import Foundation
import Logging
import PostgresNIO

/// The helpers every statement of this backend goes through (the rules' statements through
/// `TransactionRunner`, the migrations and the transaction's own `BEGIN`/`COMMIT` directly).
extension PostgresConnection {
    /// The rows of a query, collected.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try ensureOpen()
        return try await self.query(query, logger: logger).collect()
    }

    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await rows(query, logger: logger)
    }

    /// Throws `unavailable` instead of writing to a connection that has closed. postgres-nio
    /// writes a statement to its channel without a promise, and once NIO has taken a closed
    /// channel's handlers away nothing ever answers it: the statement, and its request, would
    /// wait for good. When the server stopped, that was the next statement of a transaction
    /// whose previous one had just been answered (its `COMMIT`, or its next read). A connection
    /// that closes between this check and the write is still possible; `ConnectionWait`
    /// abandons such a body.
    func ensureOpen() throws {
        if isClosed { throw StorageError.unavailable(.databaseUnreachable) }
    }
}
