import Foundation
import Shared

/// A real `AuthAPI` process on a free loopback port with a temporary database, for end-to-end
/// tests. The same database file is opened in-process so tests can look at rows or plant a
/// code through `Shared`, as the worker will.
final class TestServer {
    static let secretKey = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    /// Cheap Argon2 parameters keep the suite fast; tests about hashing cost set their own.
    static let fastArgon2 = ["AUTH_ARGON2_MEMORY_KIB": "1024", "AUTH_ARGON2_ITERATIONS": "1", "AUTH_ARGON2_PARALLELISM": "1"]

    let directory: URL
    let databasePath: String
    let port: Int
    let process: Process
    let logPath: String
    let environment: [String: String]

    var host: String { "127.0.0.1" }

    /// Starts `AuthAPI migrate` then `AuthAPI serve`; returns once the server prints its port.
    init(environment extra: [String: String] = [:], directory: URL? = nil, migrate: Bool = true) async throws {
        let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("authapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.directory = dir
        databasePath = dir.appendingPathComponent("auth.sqlite").path
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AUTH_") }
        env["AUTH_DATABASE"] = databasePath
        env["AUTH_HOST"] = "127.0.0.1"
        env["AUTH_PORT"] = "0"
        env["AUTH_SECRET_KEY"] = Self.secretKey
        env["AUTH_THROTTLE"] = "off"
        for (k, v) in Self.fastArgon2 { env[k] = v }
        for (k, v) in extra { env[k] = v }
        environment = env
        if migrate {
            let result = try Self.run(["migrate"], environment: env)
            guard result.status == 0 else { throw TestServerError.failed("migrate: \(result.output)") }
        }
        logPath = dir.appendingPathComponent("server-\(UUID().uuidString.prefix(8)).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = Self.binary("AuthAPI")
        process.arguments = ["serve"]
        process.environment = env
        process.currentDirectoryURL = dir
        let log = FileHandle(forWritingAtPath: logPath)!
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        port = try await Self.waitForPort(logPath: logPath, process: process)
    }

    /// Stops the server with SIGTERM (graceful shutdown) and waits for it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitForExit()
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitForExit()
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The server's database, opened in this process.
    func database() throws -> AppDatabase { try AppDatabase.open(path: databasePath) }

    /// Plants a code for (purpose, address) as the worker does after generating one.
    /// `sentTo` is the address the code went to, when not the account's (e-mail change).
    func plantCode(_ code: String, email: String, purpose: CodePurpose = .verifyEmail, expiresIn: TimeInterval = 600,
                   sentTo: String? = nil) async throws {
        let db = try database()
        let key = EmailAddress.key(EmailAddress.normalize(email))
        guard let user = try await db.user(emailKey: key), let id = user.id else { throw TestServerError.failed("no user \(email)") }
        let now = Date()
        let target = EmailAddress.normalize(sentTo ?? email)
        let hash = CodeHasher(secretKey: Self.secretKey).hash(code: code, purpose: purpose, emailKey: EmailAddress.key(target))
        try await db.storeCode(OneTimeCode(
            purpose: purpose, userId: id, email: target, codeHash: hash,
            createdAt: now, expiresAt: now.addingTimeInterval(expiresIn)))
    }

    func client() -> HTTPTestClient { HTTPTestClient(host: host, port: port) }

    // MARK: Process helpers

    static func binary(_ name: String) -> URL {
        if let dir = ProcessInfo.processInfo.environment["AUTH_TEST_BIN_DIR"] {
            return URL(fileURLWithPath: dir).appendingPathComponent(name)
        }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent(name)
    }

    struct RunResult {
        var status: Int32
        var output: String
    }

    /// Runs an `AuthAPI` subcommand to completion, with optional standard input.
    static func run(_ arguments: [String], environment: [String: String], stdin: String? = nil, directory: URL? = nil) throws -> RunResult {
        let process = Process()
        process.executableURL = binary("AuthAPI")
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit()
        return RunResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
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

enum TestServerError: Error {
    case failed(String)
}
