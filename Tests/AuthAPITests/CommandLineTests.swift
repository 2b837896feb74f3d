import Foundation
import Shared
import Testing

@Suite("Command line")
struct CommandLineTests {
    /// The environment of a command on the folder's database: its SQLite file, or on the
    /// PostgreSQL pass a fresh database remembered in the folder (as `TestServer` does).
    func environment(_ dir: URL, _ extra: [String: String] = [:]) async throws -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AUTH_") }
        let remembered = dir.appendingPathComponent("database-url")
        if let url = try? String(contentsOf: remembered, encoding: .utf8) {
            env["AUTH_DATABASE"] = url
        } else {
            let url = TestBackend.isPostgres ? try await TestBackend.freshPostgresDatabase() : dir.appendingPathComponent("auth.sqlite").path
            try url.write(to: remembered, atomically: true, encoding: .utf8)
            env["AUTH_DATABASE"] = url
        }
        env["AUTH_SECRET_KEY"] = TestServer.secretKey
        for (k, v) in TestServer.fastArgon2 { env[k] = v }
        for (k, v) in extra { env[k] = v }
        return env
    }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("authcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("serve refuses an unmigrated database; migrate is repeatable")
    func migrateFirst() async throws {
        let dir = try tempDir()
        let serve = try await TestServer.run(["serve"], environment: try await environment(dir, ["AUTH_PORT": "0"]))
        #expect(serve.status != 0)
        #expect(serve.output.contains("not migrated") && serve.output.contains("AuthAPI migrate"))
        #expect(try await TestServer.run(["migrate"], environment: try await environment(dir)).status == 0)
        #expect(try await TestServer.run(["migrate"], environment: try await environment(dir)).status == 0)
    }

    @Test("Every wrong variable is reported, one line each")
    func configurationErrors() async throws {
        let dir = try tempDir()
        let r = try await TestServer.run(["serve"], environment: try await environment(dir, [
            "AUTH_PORT": "http", "AUTH_ACCESS_TTL": "-5", "AUTH_THROTTLE": "maybe", "AUTH_THROTTLE_RATES": "login=ten/min",
            "AUTH_CORS_ORIGINS": "app.example.com",
        ]))
        #expect(r.status != 0)
        let lines = r.output.split(separator: "\n").filter { $0.hasPrefix("configuration error:") }
        #expect(lines.count == 5, "\(r.output)")
        for name in ["AUTH_PORT", "AUTH_ACCESS_TTL", "AUTH_THROTTLE=", "AUTH_THROTTLE_RATES", "AUTH_CORS_ORIGINS"] {
            #expect(lines.contains { $0.contains(name) }, "\(name)")
        }
    }

    @Test("An unreachable or refusing PostgreSQL server is a clear error, not a crash or a hang")
    func unreachablePostgres() async throws {
        let dir = try tempDir()
        let closedPort = try SMTPSink.freePort()
        for command in [["migrate"], ["serve"]] {
            var env = try await environment(dir, ["AUTH_PORT": "0"])
            env["AUTH_DATABASE"] = "postgres://nobody:secret-pw@127.0.0.1:\(closedPort)/auth?sslmode=disable"
            let r = try await TestServer.run(command, environment: env)
            #expect(r.status == 1, "\(r.output)")
            #expect(r.output.contains("cannot open database") || r.output.contains("error:"), "\(r.output)")
            #expect(!r.output.contains("secret-pw") && !r.output.contains("Fatal error"), "\(r.output)")
        }
    }

    @Test("sslmode: require encrypts without checking the certificate, verify-full refuses an unknown CA, disable stays clear",
          .enabled(if: ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_TLS"] == "1", "needs the TLS-enabled test server"))
    func sslModes() async throws {
        let dir = try tempDir()
        let base = try await environment(dir)
        let url = try #require(base["AUTH_DATABASE"]).replacingOccurrences(of: "sslmode=disable", with: "sslmode=")
        func migrate(_ mode: String) async throws -> TestServer.RunResult {
            var env = base
            env["AUTH_DATABASE"] = url.replacingOccurrences(of: "sslmode=", with: "sslmode=" + mode)
            return try await TestServer.run(["migrate"], environment: env)
        }
        #expect(try await migrate("require").status == 0)
        #expect(try await migrate("prefer").status == 0)
        #expect(try await migrate("disable").status == 0)
        let verified = try await migrate("verify-full")
        #expect(verified.status == 1 && verified.output.contains("cannot connect to"), "\(verified.output)")
        // With the server's certificate as the trusted root (a private CA), verify-ca succeeds;
        // verify-full still refuses, since the certificate does not name 127.0.0.1.
        let ca = try #require(ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_CA"])
        #expect(try await migrate("verify-ca&sslrootcert=" + ca).status == 0)
        #expect(try await migrate("verify-full&sslrootcert=" + ca).status == 1)
        // `require` really encrypts: a server on it shows up in pg_stat_ssl with ssl = true.
        let requireURL = url.replacingOccurrences(of: "sslmode=", with: "sslmode=require")
        try requireURL.write(to: dir.appendingPathComponent("database-url"), atomically: true, encoding: .utf8)
        let server = try await TestServer(directory: dir, migrate: false, replicas: 1, mode: .processes)
        #expect(try await server.client().get("/healthz").status == 200)
        let name = try #require(URLComponents(string: requireURL)?.path.dropFirst())
        let encrypted = try await TestBackend.psql(try #require(TestBackend.postgresURL), """
            SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE ssl AND datname = '\(name)'
            """)
        #expect((Int(encrypted.first ?? "") ?? 0) >= 1, "\(encrypted)")
        await server.stop()
    }

    @Test("An unwritable database folder is a clear error, not a crash", .enabled(if: !TestBackend.isPostgres, "a SQLite file's folder"))
    func unwritableFolder() async throws {
        let dir = try tempDir()
        let locked = dir.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: locked.path) }
        var env = try await environment(dir)
        env["AUTH_DATABASE"] = locked.appendingPathComponent("sub/auth.sqlite").path
        // As root, permissions do not stop writes: use a path under a regular file instead.
        let file = dir.appendingPathComponent("plainfile")
        _ = FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8))
        if getuid() == 0 { env["AUTH_DATABASE"] = file.appendingPathComponent("auth.sqlite").path }
        let r = try await TestServer.run(["migrate"], environment: env)
        #expect(r.status == 1)
        #expect(r.output.contains("cannot write to"), "\(r.output)")
        #expect(!r.output.contains("Fatal error"))
    }

    @Test("createsuperuser: password from the environment or standard input; a taken address exits non-zero")
    func createSuperuser() async throws {
        let dir = try tempDir()
        #expect(try await TestServer.run(["migrate"], environment: try await environment(dir)).status == 0)
        let viaEnv = try await TestServer.run(["createsuperuser", "--email", "Root@Example.com"],
                                        environment: try await environment(dir, ["AUTH_SUPERUSER_PASSWORD": TestServer.password]))
        #expect(viaEnv.status == 0, "\(viaEnv.output)")
        let taken = try await TestServer.run(["createsuperuser", "--email", "root@example.COM"],
                                       environment: try await environment(dir, ["AUTH_SUPERUSER_PASSWORD": TestServer.password]))
        #expect(taken.status != 0 && taken.output.contains("already taken"))
        let viaStdin = try await TestServer.run(["createsuperuser", "--email", "admin2@example.com"], environment: try await environment(dir),
                                          stdin: "\(TestServer.password)\n\(TestServer.password)\n")
        #expect(viaStdin.status == 0, "\(viaStdin.output)")
        let mismatch = try await TestServer.run(["createsuperuser", "--email", "admin3@example.com"], environment: try await environment(dir),
                                          stdin: "\(TestServer.password)\nsomething else\n")
        #expect(mismatch.status != 0)
        let weak = try await TestServer.run(["createsuperuser", "--email", "admin4@example.com"], environment: try await environment(dir), stdin: "password\n")
        #expect(weak.status != 0 && weak.output.contains("too common"))
        // Non-interactive set-up takes the environment's password as given, as Django's --noinput does.
        let simple = try await TestServer.run(["createsuperuser", "--email", "admin5@example.com"],
                                        environment: try await environment(dir, ["AUTH_SUPERUSER_PASSWORD": "admin"]))
        #expect(simple.status == 0, "\(simple.output)")
        #expect(try await TestServer.run(["createsuperuser", "--help"], environment: try await environment(dir)).output.contains("--email"))

        let server = try await TestServer(directory: dir, mode: .processes)
        let login = try await server.client().post(Path.login, ["email": "root@example.com", "password": TestServer.password])
        #expect(login.status == 200)
        #expect(login.json["is_staff"] as? Bool == true && login.json["is_verified"] as? Bool == true)
        #expect(login["email"] == "Root@example.com")
    }

    @Test("SQLite → PostgreSQL with scripts/sqlite-to-postgres.py: accounts, ids, sessions and tokens carry over",
          .enabled(if: TestBackend.isPostgres, "needs the PostgreSQL test server"))
    func sqliteToPostgres() async throws {
        let old = try await TestServer(replicas: 1, sqlite: true, mode: .processes)
        let tokens = try await old.verifiedUser("moved@example.com")
        _ = try await old.signup("second@example.com", extra: ["first_name": "Zoë \"Q\"", "last_name": "O'Brien, Jr."])
        let access = try #require(tokens["access"]), refresh = try #require(tokens["refresh"])
        await old.stop()

        let target = try await TestBackend.freshPostgresDatabase()
        var env = old.environment
        env["AUTH_DATABASE"] = target
        #expect(try await TestServer.run(["migrate"], environment: env).status == 0)
        let script = Self.repository.appendingPathComponent("scripts/sqlite-to-postgres.py").path
        let sqliteFile = old.directory.appendingPathComponent("auth.sqlite").path
        let copy = try await Process.output(of: URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, sqliteFile, target])
        let text = copy.output
        #expect(copy.status == 0, "\(text)")
        #expect(text.contains("2 users"), "\(text)")

        let moved = FileManager.default.temporaryDirectory.appendingPathComponent("moved-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: moved, withIntermediateDirectories: true)
        try target.write(to: moved.appendingPathComponent("database-url"), atomically: true, encoding: .utf8)
        let new = try await TestServer(directory: moved, migrate: false, mode: .processes)
        let client = new.client()
        // The access token and the session issued by the SQLite server stay valid.
        let me = try await client.get(Path.me, bearer: access)
        #expect(me.status == 200 && me.json["id"] as? Int == 1 && me["email"] == "moved@example.com")
        #expect(try await client.post(Path.refresh, ["refresh": refresh]).status == 200)
        let login = try await client.post(Path.login, ["email": "moved@example.com", "password": TestServer.password])
        #expect(login.status == 200)
        #expect(try await new.sql("SELECT first_name || '|' || last_name FROM users WHERE id = 2") == ["Zoë \"Q\"|O'Brien, Jr."])
        // The id sequence continues after the copied rows; a second copy is refused.
        let third = try await new.signup("third@example.com")
        #expect(third.json["id"] as? Int == 3)
        let again = try await Process.output(of: URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, sqliteFile, target])
        #expect(again.status != 0 && again.output.contains("already holds users"), "\(again.output)")
        #expect(try await new.sqlInt("SELECT COUNT(*) FROM users") == 3)
    }

    /// The checkout the test binary was built from (scripts live there).
    static var repository: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    @Test("SIGTERM stops the server gracefully")
    func gracefulShutdown() async throws {
        let server = try await TestServer(mode: .processes)
        #expect(try await server.client().get("/healthz").status == 200)
        await server.stop()
        #expect(server.process.terminationStatus == 0)
    }
}
