import Foundation
import Logging
import PostgresNIO

/// Applies the shared history (`Schema.steps`) to PostgreSQL: the same tables, columns and
/// conventions as SQLite's (snake_case, dates as Unix seconds in `DOUBLE PRECISION`), so rows
/// move between the backends unchanged; under an advisory lock, so several machines running
/// `migrate` at once apply each step exactly once.
enum PostgresMigrations {
    /// Any constant shared by every process of this service: the migration lock's key.
    static let lockKey: Int64 = 0x6175_7468_6d69_6772

    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
        try await connection.run("""
            CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: logger)
        let applied = Schema.applied(try await recorded(connection, logger: logger))
        for step in Schema.steps where !applied.contains(step.name) {
            // One statement per query: the extended protocol takes no multi-statement strings.
            for statement in step.sql(.postgres).components(separatedBy: ";\n") {
                let sql = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                if !sql.isEmpty { try await connection.run(PostgresQuery(unsafeSQL: sql), logger: logger) }
            }
            try await connection.run("INSERT INTO schema_migrations (name) VALUES (\(step.name))", logger: logger)
        }
    }

    static func isComplete(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let exists = try await connection.rows("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        guard try exists.first?.decode(Bool.self) == true else { return false }
        let applied = Schema.applied(try await recorded(connection, logger: logger))
        return Schema.steps.allSatisfy { applied.contains($0.name) }
    }

    /// The step names the database recorded.
    static func recorded(_ connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        Set(try await connection.rows("SELECT name FROM schema_migrations", logger: logger).map { try $0.decode(String.self) })
    }
}
