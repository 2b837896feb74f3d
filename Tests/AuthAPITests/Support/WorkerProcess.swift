import Foundation

/// `MailWorker` processes sharing a `TestServer`'s database and secret key: one on SQLite, two
/// on PostgreSQL (`TestBackend.workers`) so the suite also proves workers share the queue.
/// `run --once` always starts one.
final class WorkerProcess {
    let processes: [Process]
    let logPaths: [String]

    init(server: TestServer, environment extra: [String: String] = [:], arguments: [String] = ["run"],
         count: Int? = nil) throws {
        var env = server.environment
        env["AUTH_MAIL_RETRY_BASE"] = "0.2"
        env["AUTH_MAIL_RETRY_MAX"] = "1"
        for (k, v) in extra { env[k] = v }
        (processes, logPaths) = try TestServer.launch(
            "MailWorker", arguments, count: count ?? (arguments.contains("--once") ? 1 : TestBackend.workers),
            environment: env, directory: server.directory)
    }

    var log: String { logPaths.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }.joined(separator: "\n") }

    /// SIGTERM, then wait: each worker finishes its sends in flight and exits. Returns the
    /// first non-zero exit status, else 0.
    func stop() async -> Int32 {
        for process in processes where process.isRunning { process.terminate() }
        for process in processes { await process.exited() }
        return processes.map(\.terminationStatus).first { $0 != 0 } ?? 0
    }

    func kill() async {
        for process in processes where process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            await process.exited()
        }
    }

    func wait(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while processes.contains(where: \.isRunning) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if processes.contains(where: \.isRunning) { throw TestServerError.failed("worker did not exit") }
        return processes.map(\.terminationStatus).first { $0 != 0 } ?? 0
    }

    deinit {
        for process in processes where process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

extension TestServer {
    /// Runs a `MailWorker` subcommand to completion.
    func worker(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> RunResult {
        var env = environment
        for (k, v) in extra { env[k] = v }
        let result = try await Process.output(of: TestServer.binary("MailWorker"), arguments, environment: env, directory: directory)
        return RunResult(status: result.status, output: result.stdout)
    }

    /// Polls `status --json` until `state` counts `count` jobs (or 10 s pass); returns the last status.
    @discardableResult
    func waitForQueue(_ state: String, count: Int) async throws -> [String: Any] {
        var status: [String: Any] = [:]
        for _ in 0..<250 {
            status = try await queueStatus()
            if status[state] as? Int == count { break }
            try await Task.sleep(for: .milliseconds(40))
        }
        return status
    }

    /// `MailWorker status --json`, parsed.
    func queueStatus() async throws -> [String: Any] {
        let result = try await worker(["status", "--json"])
        return (try JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any] ?? [:]
    }
}
