import Foundation
import TestSupport

/// A PostgreSQL server of the test's own (`scripts/pg-cluster.sh`), which it may stop and
/// start: the shared test server must stay up for every other test.
final class PrivatePostgres: @unchecked Sendable {
    let directory: URL
    let port: Int

    init() async throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("auth-pg-fault-\(UUID().uuidString.prefix(8))")
        let reservation = try PortReservation()
        port = reservation.port
        try await Self.script(["init", directory.path])
        reservation.release()
        try await start()
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// A `TestServer` folder whose database is this server's `postgres` database.
    func serverDirectory() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("authapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try url.write(to: folder.appendingPathComponent("database-url"), atomically: true, encoding: .utf8)
        return folder
    }

    func start() async throws { try await Self.script(["start", directory.path, String(port)]) }

    /// A fast shutdown: the server ends every session, as in a restart or a crash of its host.
    func stop() async throws { try await Self.script(["stop", directory.path]) }

    func remove() async {
        try? await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static var scriptPath: String {
        URL(fileURLWithPath: SMTPSink.scriptPath).deletingLastPathComponent().appendingPathComponent("pg-cluster.sh").path
    }

    static func script(_ arguments: [String]) async throws {
        let result = try await Process.output(of: URL(fileURLWithPath: "/bin/bash"), [scriptPath] + arguments)
        guard result.status == 0 else { throw TestServerError.failed("pg-cluster.sh \(arguments[0]): \(result.output)") }
    }
}

/// A small tmpfs mounted for the test (as root, or through password-less sudo as `make test`
/// installs packages), filled to the last byte by `fill()` and emptied by `free()`.
final class SmallFileSystem: @unchecked Sendable {
    let url: URL
    private var filler: URL { url.appendingPathComponent("filler") }

    init(mebibytes: Int) async throws {
        url = URL(fileURLWithPath: "/tmp").appendingPathComponent("auth-small-fs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // tmpfs's root is world-writable (mode 1777): only the mount itself needs privileges.
        let mounted = try await Self.privileged("/bin/mount", ["-t", "tmpfs", "-o", "size=\(mebibytes)m", "tmpfs", url.path])
        guard mounted.status == 0 else {
            throw TestServerError.failed("mount tmpfs (needs root or password-less sudo, as make test-deps): \(mounted.output)")
        }
    }

    /// Writes zeros until the file system refuses a byte more.
    func fill() throws {
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        defer { try? handle.close() }
        for size in [1 << 20, 1 << 12, 1] {
            let chunk = Data(count: size)
            while (try? handle.write(contentsOf: chunk)) != nil {}
        }
    }

    func free() throws { try FileManager.default.removeItem(at: filler) }

    /// Runs `tool` as root: directly when the tests run as root (CI), else through `sudo -n`,
    /// as `scripts/apt-install.sh` installs packages.
    private static func privileged(_ tool: String, _ arguments: [String]) async throws -> (status: Int32, output: String, stdout: String) {
        if getuid() == 0 { return try await Process.output(of: URL(fileURLWithPath: tool), arguments) }
        return try await Process.output(of: URL(fileURLWithPath: "/usr/bin/sudo"), ["-n", tool] + arguments)
    }

    func remove() async {
        _ = try? await Self.privileged("/bin/umount", [url.path])
        try? FileManager.default.removeItem(at: url)
    }
}

/// A transaction held open by the database's own client (`sqlite3`, `psql`) until `release()`:
/// on SQLite the write lock, on PostgreSQL the row locks of every mail job, so a worker's lease
/// renewal waits meanwhile.
final class HeldLock: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let seen = NSLock()
    private var text = ""

    init(_ server: TestServer) async throws {
        switch server.location {
        case .sqlite(let path):
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [path]
        case .postgres:
            process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            process.arguments = [server.databaseURL, "-X", "-q", "-A", "-t"]
        }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.seen.withLock { self.text += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let lock = if case .sqlite = server.location { "BEGIN IMMEDIATE;" } else { "BEGIN; SELECT count(*) FROM (SELECT id FROM mail_jobs FOR UPDATE) AS locked;" }
        try input.fileHandleForWriting.write(contentsOf: Data("\(lock)\nSELECT 'lock' || 'held';\n".utf8))
        try await eventually("the database client to hold the lock", timeout: .seconds(10), every: .milliseconds(20),
                             observing: { seen.withLock { text } }, until: { $0.contains("lockheld") })
    }

    func release() async {
        try? input.fileHandleForWriting.write(contentsOf: Data("COMMIT;\n".utf8))
        try? input.fileHandleForWriting.close()
        await process.exited()
        output.fileHandleForReading.readabilityHandler = nil
    }
}

/// A process whose wall clock is off (libfaketime, Debian's `faketime`); its monotonic clock
/// is left alone, as a replica's would be.
enum FakeClock {
    static func ahead(seconds: Int) -> [String: String] {
        ["LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME": "+\(seconds)s",
         "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_DONT_RESET": "1"]
    }
}
