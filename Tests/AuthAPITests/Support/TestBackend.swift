import Foundation
import GRDB
import Shared

/// Which database the end-to-end suite runs on. `make test` runs it twice: on SQLite (one API
/// process, one worker) and, with `AUTH_TEST_POSTGRES_URL` naming a throw-away PostgreSQL
/// server (scripts/with-postgres.sh), on PostgreSQL with two API replicas behind a round-robin
/// client and two workers — so every contract test also proves the replicas behave as one.
enum TestBackend {
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    static var isPostgres: Bool { postgresURL != nil }
    static var apiReplicas: Int { isPostgres ? 2 : 1 }
    static var workers: Int { isPostgres ? 2 : 1 }

    /// A new, empty database on the test server; returns its URL.
    static func freshPostgresDatabase() async throws -> String {
        guard let admin = postgresURL, var components = URLComponents(string: admin) else {
            throw TestServerError.failed("AUTH_TEST_POSTGRES_URL is not set")
        }
        let name = "auth_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        _ = try await psql(admin, "CREATE DATABASE \(name)")
        components.path = "/" + name
        return components.string!
    }

    /// Runs SQL with `psql` (unaligned, tuples only); returns the first column of every row.
    static func psql(_ url: String, _ sql: String) async throws -> [String] {
        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-P", "null=NULL", "-F", "\t", "-c", sql])
        guard result.status == 0 else { throw TestServerError.failed("psql: \(result.output)") }
        return result.output.split(separator: "\n", omittingEmptySubsequences: true)
            .map { String($0.split(separator: "\t", omittingEmptySubsequences: false).first ?? "") }
    }
}

extension TestServer {
    /// Runs SQL on the server's database; returns the first column of every row as text
    /// (NULL as "NULL"). The SQL must be valid on both SQLite and PostgreSQL.
    @discardableResult
    func sql(_ sql: String) async throws -> [String] {
        switch location {
        case .postgres:
            return try await TestBackend.psql(databaseURL, sql)
        case .sqlite(let path):
            let database = try AppDatabase.open(path: path)
            defer { Task { await database.close() } }
            return try await database.pool.write { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    let value: DatabaseValue = row[0]
                    switch value.storage {
                    case .null: return "NULL"
                    case .int64(let n): return String(n)
                    case .double(let d): return String(d)
                    case .string(let s): return s
                    case .blob(let data): return "\\x" + data.map { String(format: "%02x", $0) }.joined()
                    }
                }
            }
        }
    }

    /// The stored user of an address, read through `Shared`.
    func storedUser(_ email: String) async throws -> User? {
        try await withDatabase { try await $0.user(emailKey: EmailAddress.key(EmailAddress.normalize(email))) }
    }

    /// Where the generated secret key and the outbox go: beside the SQLite file, or in
    /// `queue/` under the working directory with PostgreSQL (API.md).
    var stateDirectory: URL {
        TestBackend.isPostgres ? directory.appendingPathComponent("queue") : directory
    }

    /// The integer in the first row of a query.
    func sqlInt(_ query: String) async throws -> Int {
        guard let first = try await sql(query).first, let value = Int(first) else {
            throw TestServerError.failed("no integer from \(query)")
        }
        return value
    }
}
