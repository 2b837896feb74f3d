import Foundation

/// Waiting for child processes without blocking Swift concurrency's threads. On Linux,
/// Foundation learns that a child exited on a thread of the same global dispatch queue that
/// runs async tasks; with 2 cores, two tests blocked in a synchronous wait starve it and
/// `isRunning` never turns false. So async code waits here by sleeping, and synchronous
/// callers (deinit) hand the wait to a thread of their own.
extension Process {
    /// Waits for exit, polling; after `timeout`, SIGKILL and wait for that.
    func exited(timeout: Duration = .seconds(60)) async {
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        if isRunning {
            kill(processIdentifier, SIGKILL)
            while isRunning { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// SIGTERM now; a plain thread (not a concurrency one) waits and SIGKILLs after `grace`.
    func terminateInBackground(grace: TimeInterval = 20) {
        guard isRunning else { return }
        terminate()
        Thread.detachNewThread { [self] in
            let deadline = Date().addingTimeInterval(grace)
            while isRunning && Date() < deadline { usleep(10_000) }
            if isRunning { kill(processIdentifier, SIGKILL) }
        }
    }

    /// Runs an executable to completion with its output in temporary files (`output`: standard
    /// output then standard error; `stdout` alone) (a pipe's end can
    /// be inherited by a sibling started meanwhile, and then never reports EOF).
    static func output(
        of executable: URL, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        stdin: String? = nil, timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String, stdout: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: errors)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let handle = try FileHandle(forWritingTo: file)
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer {
            try? handle.close()
            try? errorHandle.close()
        }
        process.standardOutput = handle
        process.standardError = errorHandle
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        await process.exited(timeout: timeout)
        let stdout = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout + stderr, stdout)
    }
}
