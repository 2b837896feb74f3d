import Foundation
import Logging
import PostgresNIO
import Testing
@testable import Shared

/// postgres-nio never answers a statement written to a connection that has closed (it writes
/// without a promise, and NIO has taken the closed channel's handlers away): the backend's
/// statements check the connection first.
@Suite("PostgreSQL: statements on a closed connection", .timeLimit(.minutes(1)))
struct PostgresClosedConnectionTests {
    @Test("A statement on a connection that has closed is refused at once (unavailable), not left waiting for good",
          .enabled(if: TestStore.available.contains(.postgres), "needs the PostgreSQL test server"))
    func statementOnClosedConnection() async throws {
        // Given a connection that has closed
        guard case .postgres(let server) = try DatabaseLocation.parse(ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_URL"] ?? "").get() else {
            throw StorageError.notMigrated("AUTH_TEST_POSTGRES_URL")
        }
        let logger = Conformance.logger()
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: server.host, port: server.port, username: server.username, password: server.password,
                                 database: server.database, tls: .disable),
            id: 1, logger: logger)
        #expect(try await connection.rows("SELECT 1", logger: logger).count == 1)
        try await connection.close()
        // When the backend runs a statement on it
        // Then it is refused at once
        await #expect(throws: StorageError.unavailable(.databaseUnreachable)) {
            try await connection.run("SELECT 1", logger: logger)
        }
    }
}
