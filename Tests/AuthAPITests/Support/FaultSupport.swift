import Foundation

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

/// A small tmpfs mounted for the test (the suite runs as root, as `make test` installs
/// packages), filled to the last byte by `fill()` and emptied by `free()`.
final class SmallFileSystem: @unchecked Sendable {
    let url: URL
    private var filler: URL { url.appendingPathComponent("filler") }

    init(mebibytes: Int) async throws {
        url = URL(fileURLWithPath: "/tmp").appendingPathComponent("auth-small-fs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let mounted = try await Process.output(of: URL(fileURLWithPath: "/bin/mount"),
                                               ["-t", "tmpfs", "-o", "size=\(mebibytes)m", "tmpfs", url.path])
        guard mounted.status == 0 else { throw TestServerError.failed("mount tmpfs (needs root): \(mounted.output)") }
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

    func remove() async {
        _ = try? await Process.output(of: URL(fileURLWithPath: "/bin/umount"), [url.path])
        try? FileManager.default.removeItem(at: url)
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
