import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Owns the SQLite database shared by the API and the worker: its connection pool and its
/// migrations. Every write is a `BEGIN IMMEDIATE` transaction (GRDB's default for writes), so
/// two processes never deadlock on a lock upgrade; the busy timeout makes them wait their turn.
public struct AppDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String
    /// Logs a full disk once per episode (see `AppDatabase.classified`).
    let health: StorageHealth

    /// How long a writer waits for another process's transaction before failing.
    public static let busyTimeout: TimeInterval = 10

    /// Opens (creating if needed) the database file, with WAL and `synchronous=NORMAL`.
    public static func open(path: String, readers: Int = 4, logger: Logger = Logger(label: "storage")) throws -> AppDatabase {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StorageError.notWritable(directory)
        }
        guard access(directory, W_OK | X_OK) == 0 else { throw StorageError.notWritable(directory) }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.maximumReaderCount = max(1, readers)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            return AppDatabase(pool: pool, path: path, health: StorageHealth(logger: logger))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY {
            throw StorageError.notWritable(directory)
        }
    }

}

extension AppDatabase: AuthBackend {
    public var displayName: String { path }

    /// Under an exclusive lock on `<path>.migrate-lock`: GRDB's migrator reads which steps are
    /// applied before its write transaction, so two processes starting at once could both apply
    /// the same step (PostgreSQL takes an advisory lock for the same reason). The wait for the
    /// lock and the migration block a thread of their own, not one of the concurrency pool's.
    public func migrate() async throws {
        let pool = pool
        let lockPath = path + ".migrate-lock"
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                continuation.resume(with: Result { try withExclusiveFileLock(lockPath) { try Self.migrator.migrate(pool) } })
            }.start()
        }
    }

    public func requireMigrated() async throws {
        let done = try await pool.read { db in try Self.migrator.hasCompletedMigrations(db) }
        guard done else { throw StorageError.notMigrated(path) }
    }

    /// Synchronous, like `query`: the probe takes the same path as an authenticated read.
    public func ping() async -> Bool {
        pingSync()
    }

    /// Not `async`, so that GRDB's blocking `unsafeRead` is the one called.
    func pingSync() -> Bool {
        (try? pool.unsafeRead { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// SQLite cannot tell another process that a row was inserted: workers poll.
    public var jobWakeups: JobWakeups? { nil }

    /// None: GRDB's pool works on the caller's threads and needs no loop of its own.
    public var services: [any Service] { [] }

    public func close() async {
        try? pool.close()
    }
}

/// Runs `body` while holding `flock(LOCK_EX)` on the file at `path` (created if missing), which
/// every process on this machine that opens the same database takes too.
private func withExclusiveFileLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw StorageError.notWritable(path) }
    defer { close(fd) }
    guard flock(fd, LOCK_EX) == 0 else { throw StorageError.notWritable(path) }
    defer { flock(fd, LOCK_UN) }
    return try body()
}
