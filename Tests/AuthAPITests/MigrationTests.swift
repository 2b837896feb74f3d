import Foundation
import GRDB
import Shared
import Testing

/// The one migration history: databases made by the code before it (dumps in `Tests/fixtures/`,
/// written by that code: a superuser with a login session, an unverified signup with its queued
/// mail) migrate forward with nothing lost, and end with the schema a fresh database gets.
@Suite("One migration history on both databases", .serialized)
struct MigrationTests {
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/\(name)")
    }

    /// A folder whose `TestServer` will use `databaseURL` (already filled) instead of a new database.
    static func folder(for databaseURL: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try databaseURL.write(to: dir.appendingPathComponent("database-url"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test("A SQLite database made before the shared history migrates forward with its data")
    func sqliteForward() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("legacy-\(UUID().uuidString).sqlite").path
        let legacy = try AppDatabase.open(path: path)
        let dump = try String(contentsOf: Self.fixture("before-13.sqlite.sql"), encoding: .utf8)
        try await legacy.pool.writeWithoutTransaction { try $0.execute(sql: dump) }
        await legacy.close()
        let server = try await TestServer(directory: try Self.folder(for: path), replicas: 1, sqlite: true, mode: .processes)
        try await expectForward(server)
        let fresh = try await TestServer(replicas: 1, sqlite: true, mode: .processes)
        #expect(try await sqliteColumns(server) == sqliteColumns(fresh))
        #expect(try await server.sql("SELECT count(*) FROM grdb_migrations") == ["\(Schema.steps.count)"])
    }

    @Test("A PostgreSQL database made before the shared history (one v1-schema step) migrates forward with its data",
          .enabled(if: TestBackend.isPostgres))
    func postgresForward() async throws {
        let url = try await TestBackend.freshPostgresDatabase()
        let load = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", Self.fixture("before-13.postgres.sql").path])
        #expect(load.status == 0, "\(load.output)")
        #expect(try await TestBackend.psql(url, "SELECT name FROM schema_migrations") == ["v1-schema"])
        let server = try await TestServer(directory: try Self.folder(for: url), mode: .processes)
        try await expectForward(server)
        let fresh = try await TestServer(mode: .processes)
        #expect(try await postgresColumns(server) == postgresColumns(fresh))
        let recorded = Set(try await server.sql("SELECT name FROM schema_migrations"))
        // The one former step for the first seven, then every later step by its own name.
        #expect(recorded == Set(["v1-schema"] + Schema.steps.dropFirst(7).map(\.name)))
        #expect(recorded.contains("v5-mail-job-nonce") && recorded.contains("v6-signing-keys"))
    }

    /// The fixture's accounts, sessions and mail are all there and the service works on them.
    func expectForward(_ server: TestServer) async throws {
        let client = server.client()
        let root = try await client.post(Path.login, ["email": "root@example.com", "password": TestServer.password])
        #expect(root.status == 200 && root.json["id"] as? Int == 1 && root.json["is_staff"] as? Bool == true)
        let ada = try await client.post(Path.login, ["email": "ada@example.com", "password": TestServer.password])
        #expect(ada.status == 403 && ada.code == "email_not_verified")
        #expect(try await server.storedUser("ada@example.com")?.firstName == "Ada")
        // The login session made before the migration is still listed next to the new one.
        let sessions = try await client.get(Path.sessions, bearer: try #require(root["access"]))
        #expect((try JSONSerialization.jsonObject(with: sessions.body) as? [Any])?.count == 2)
        // The id sequence continues after the fixture's rows; the queued mail is still queued.
        let signup = try await server.signup("after@example.com")
        #expect(signup.status == 201 && signup.json["id"] as? Int == 3)
        #expect(try await server.queueStatus()["queued"] as? Int == 2)
        try await server.plantCode("123456", email: "ada@example.com")
        #expect(try await client.post(Path.verifyEmail, ["email": "ada@example.com", "otp": "123456"]).status == 200)
    }

    /// Every table's columns with their types, sorted by table and name.
    func sqliteColumns(_ server: TestServer) async throws -> [String] {
        try await server.sql("""
            SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p."notnull" || ' ' || coalesce(p.dflt_value, '')
            FROM sqlite_master m JOIN pragma_table_info(m.name) p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'grdb_migrations' ORDER BY 1
            """)
    }

    func postgresColumns(_ server: TestServer) async throws -> [String] {
        try await server.sql("""
            SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1
            """)
    }
}
