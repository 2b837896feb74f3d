import Foundation
import Logging
import Shared
import Synchronization
import Testing

/// The API over a temporary database, for end-to-end tests: one replica on SQLite, two on
/// PostgreSQL (see `TestBackend`), with a client that sends each request to the next replica.
/// By default the replicas run in this process (`InProcessAPI`, HummingbirdTesting's router);
/// tests that need a port, signals, logs or the real executable ask for `.live` or `.processes`.
/// The database is opened in-process too, so tests can look at rows or plant a code through
/// `Shared`, as the worker will.
final class TestServer {
    /// How the API runs.
    enum Mode {
        /// In this process, requests straight to the router: the default, and the fastest.
        case router
        /// In this process, on a loopback port: for clients that need a real address (browsers,
        /// generated clients, `Host`/`Origin` checks, the peer address).
        case live
        /// `AuthAPI serve` processes: for signals, logs, start-up and command-line behaviour.
        case processes
    }

    static let secretKey = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    /// Cheap Argon2 parameters keep the suite fast; tests about hashing cost set their own.
    static let fastArgon2 = ["AUTH_ARGON2_MEMORY_KIB": "1024", "AUTH_ARGON2_ITERATIONS": "1", "AUTH_ARGON2_PARALLELISM": "1"]

    let directory: URL
    /// `AUTH_DATABASE` of the server: a SQLite file or a fresh PostgreSQL database.
    let databaseURL: String
    let location: DatabaseLocation
    let mode: Mode
    /// The first replica's port; `ports` has every replica's (`.live` and `.processes` only).
    var port: Int {
        guard let first = ports.first else { fatalError("a server in mode .router has no port: start it with mode: .live") }
        return first
    }
    let ports: [Int]
    /// The `AuthAPI serve` processes (`.processes` only).
    let processes: [Process]
    var process: Process { processes[0] }
    let logPaths: [String]
    let environment: [String: String]
    private let inProcess: InProcessAPI?
    private let rotation = ReplicaRotation()

    var host: String { "127.0.0.1" }

    /// Migrates the database, then starts the replicas; returns once they answer.
    init(environment extra: [String: String] = [:], directory: URL? = nil, migrate: Bool = true,
         replicas: Int = TestBackend.apiReplicas, sqlite: Bool = false, mode: Mode = .router) async throws {
        self.mode = mode
        let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("authapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.directory = dir
        // A second server in the same folder reuses the first one's database (restart tests).
        let remembered = dir.appendingPathComponent("database-url")
        if let previous = try? String(contentsOf: remembered, encoding: .utf8) {
            databaseURL = previous
        } else {
            databaseURL = TestBackend.isPostgres && !sqlite
                ? try await TestBackend.freshPostgresDatabase() : dir.appendingPathComponent("auth.sqlite").path
            try databaseURL.write(to: remembered, atomically: true, encoding: .utf8)
        }
        location = try DatabaseLocation.parse(databaseURL).get()
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AUTH_") }
        env["AUTH_DATABASE"] = databaseURL
        env["AUTH_HOST"] = "127.0.0.1"
        env["AUTH_PORT"] = "0"
        env["AUTH_SECRET_KEY"] = Self.secretKey
        env["AUTH_THROTTLE"] = "off"
        for (k, v) in Self.fastArgon2 { env[k] = v }
        for (k, v) in extra { env[k] = v }
        environment = env
        guard mode == .processes else {
            precondition(migrate, "an unmigrated database is for mode .processes (the executable's refusal)")
            // A generated key would be written under this process's working directory (PostgreSQL).
            precondition(env["AUTH_SECRET_KEY"]?.isEmpty == false, "a generated secret key is for mode .processes")
            try await Self.withDatabase(location) { try await $0.migrate() }
            let api = try await InProcessAPI.start(replicas: replicas, environment: env, transport: mode == .live ? .live : .router)
            inProcess = api
            ports = mode == .live ? api.clients.compactMap(\.port) : []
            (processes, logPaths) = ([], [])
            return
        }
        inProcess = nil
        if migrate {
            let result = try await Self.run(["migrate"], environment: env)
            guard result.status == 0 else { throw TestServerError.failed("migrate: \(result.output)") }
        }
        (processes, logPaths) = try Self.launch("AuthAPI", ["serve"], count: max(1, replicas), environment: env, directory: dir)
        var ports: [Int] = []
        for (process, logPath) in zip(processes, logPaths) {
            ports.append(try await Self.waitForPort(logPath: logPath, process: process))
        }
        self.ports = ports
    }

    /// Stops every replica (SIGTERM for processes: a graceful shutdown) and waits for them.
    func stop() async {
        await inProcess?.stop()
        for process in processes where process.isRunning { process.terminate() }
        for process in processes { await process.exited() }
    }

    deinit {
        inProcess?.stopInBackground()
        for process in processes { process.terminateInBackground() }
    }

    /// Every replica's log, one after the other (`.processes` only: in-process replicas log nothing).
    var log: String {
        precondition(mode == .processes, "only processes keep a log: start the server with mode: .processes")
        return logPaths.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }.joined(separator: "\n")
    }

    /// Runs `body` with the server's database, opened in this process through the same
    /// `Shared` storage (its services run meanwhile), and closes it.
    func withDatabase<T>(_ body: (any AuthBackend) async throws -> T) async throws -> T {
        try await Self.withDatabase(location, body)
    }

    static func withDatabase<T>(_ location: DatabaseLocation, _ body: (any AuthBackend) async throws -> T) async throws -> T {
        var logger = Logger(label: "test-database")
        logger.logLevel = .warning
        return try await Storage.withBackend(location, poolSize: 2, logger: logger, body)
    }

    /// Plants a code for (purpose, address) as the worker does after generating one.
    /// `sentTo` is the address the code went to, when not the account's (e-mail change).
    func plantCode(_ code: String, email: String, purpose: CodePurpose = .verifyEmail, expiresIn: TimeInterval = 600,
                   sentTo: String? = nil) async throws {
        try await withDatabase { db in
            let key = EmailAddress.key(EmailAddress.normalize(email))
            guard let user = try await db.user(emailKey: key), let id = user.id else { throw TestServerError.failed("no user \(email)") }
            let now = Date()
            let target = EmailAddress.normalize(sentTo ?? email)
            let hash = CodeHasher(secretKey: Self.secretKey).hash(code: code, purpose: purpose, emailKey: EmailAddress.key(target))
            try await db.storeCode(OneTimeCode(
                purpose: purpose, userId: id, email: target, codeHash: hash,
                createdAt: now, expiresAt: now.addingTimeInterval(expiresIn)))
        }
    }

    /// A client for the next replica in turn: consecutive requests alternate between replicas.
    func client() -> HTTPTestClient {
        if mode == .router, let inProcess { return HTTPTestClient(routers: inProcess.clients, rotation: rotation) }
        return HTTPTestClient(host: host, ports: ports, rotation: rotation)
    }

    // MARK: Process helpers

    static func binary(_ name: String) -> URL {
        if let dir = ProcessInfo.processInfo.environment["AUTH_TEST_BIN_DIR"] {
            return URL(fileURLWithPath: dir).appendingPathComponent(name)
        }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Starts `count` copies of a binary with stdout and stderr in a log file each.
    static func launch(_ name: String, _ arguments: [String], count: Int, environment: [String: String],
                       directory: URL) throws -> ([Process], [String]) {
        var processes: [Process] = []
        var logPaths: [String] = []
        for _ in 0..<count {
            let logPath = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log").path
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let process = Process()
            process.executableURL = binary(name)
            process.arguments = arguments
            process.environment = environment
            process.currentDirectoryURL = directory
            let log = FileHandle(forWritingAtPath: logPath)!
            process.standardOutput = log
            process.standardError = log
            try process.run()
            processes.append(process)
            logPaths.append(logPath)
        }
        return (processes, logPaths)
    }

    struct RunResult {
        var status: Int32
        /// Standard output and standard error together.
        var output: String
        var stdout: String = ""

        /// Standard output as JSON; when it is not, the issue says what the command printed.
        func json() throws -> Any {
            do {
                return try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            } catch {
                Issue.record("not JSON on standard output (exit \(status)): \(output)")
                throw error
            }
        }
    }

    /// Runs an `AuthAPI` subcommand to completion, with optional standard input.
    static func run(_ arguments: [String], environment: [String: String], stdin: String? = nil, directory: URL? = nil) async throws -> RunResult {
        let result = try await Process.output(of: binary("AuthAPI"), arguments, environment: environment, directory: directory, stdin: stdin)
        return RunResult(status: result.status, output: result.output, stdout: result.stdout)
    }

    private static func waitForPort(logPath: String, process: Process) async throws -> Int {
        for _ in 0..<1_500 {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: "AuthAPI listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            if !process.isRunning { throw TestServerError.failed("server exited: \(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestServerError.failed("server did not start in 30 s")
    }
}

/// The round-robin position of a `TestServer`'s clients.
final class ReplicaRotation: Sendable {
    private let counter = Mutex(0)

    func next() -> Int {
        counter.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}

enum TestServerError: Error {
    case failed(String)
}
