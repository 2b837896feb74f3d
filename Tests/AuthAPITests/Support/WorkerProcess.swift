import Foundation
import TestSupport

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

    /// Waits for every worker to exit by itself; returns the first non-zero exit status, else 0.
    func wait(timeout: Duration = .seconds(30), fileID: String = #fileID, line: Int = #line) async throws -> Int32 {
        try await eventually("the worker to exit (log: \(log))", timeout: timeout, every: .milliseconds(20), fileID: fileID, line: line) {
            !processes.contains(where: \.isRunning)
        }
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

    /// Polls `status --json` until `state` counts `count` jobs; returns that status. Throws with
    /// the last status seen (and `context`, evaluated then) when `timeout` passes first.
    @discardableResult
    func waitForQueue(_ state: String, count: Int, timeout: Duration = .seconds(20),
                      context: @autoclosure () -> String = "", fileID: String = #fileID, line: Int = #line) async throws -> [String: Any] {
        try await eventually("\(count) \(state) jobs in the queue \(context())", timeout: timeout, every: .milliseconds(40),
                             fileID: fileID, line: line, observing: { try await queueStatus() }, until: { $0[state] as? Int == count })
    }

    /// `MailWorker status --json`, parsed.
    func queueStatus() async throws -> [String: Any] {
        let result = try await worker(["status", "--json"])
        return (try JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any] ?? [:]
    }
}
