import Foundation

/// A `MailWorker` process sharing a `TestServer`'s database and secret key.
final class WorkerProcess {
    let process: Process
    let logPath: String

    init(server: TestServer, environment extra: [String: String] = [:], arguments: [String] = ["run"]) throws {
        var env = server.environment
        env["AUTH_MAIL_RETRY_BASE"] = "0.2"
        env["AUTH_MAIL_RETRY_MAX"] = "1"
        for (k, v) in extra { env[k] = v }
        logPath = server.directory.appendingPathComponent("worker-\(UUID().uuidString.prefix(8)).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = TestServer.binary("MailWorker")
        process.arguments = arguments
        process.environment = env
        process.currentDirectoryURL = server.directory
        let log = FileHandle(forWritingAtPath: logPath)!
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then wait: the worker finishes its sends in flight and exits.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitForExit()
        return process.terminationStatus
    }

    func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitForExit()
        }
    }

    func wait(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { throw TestServerError.failed("worker did not exit") }
        return process.terminationStatus
    }

    deinit { kill() }
}

extension TestServer {
    /// Runs a `MailWorker` subcommand to completion.
    func worker(_ arguments: [String], environment extra: [String: String] = [:]) throws -> RunResult {
        var env = environment
        for (k, v) in extra { env[k] = v }
        let process = Process()
        process.executableURL = TestServer.binary("MailWorker")
        process.arguments = arguments
        process.environment = env
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit()
        return RunResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Polls `status --json` until `state` counts `count` jobs (or 10 s pass); returns the last status.
    @discardableResult
    func waitForQueue(_ state: String, count: Int) async throws -> [String: Any] {
        var status: [String: Any] = [:]
        for _ in 0..<250 {
            status = try queueStatus()
            if status[state] as? Int == count { break }
            try await Task.sleep(for: .milliseconds(40))
        }
        return status
    }

    /// `MailWorker status --json`, parsed.
    func queueStatus() throws -> [String: Any] {
        let result = try worker(["status", "--json"])
        return (try JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any] ?? [:]
    }
}
