import Foundation
import Logging

/// Everything the processes need from storage, whichever database runs underneath: the account
/// store, the mail queue, the shared throttle counters, the signing keys, the second factors, and the schema. Handlers, the worker and
/// the commands hold an `any AuthBackend` and never learn which one it is.
public protocol AuthBackend: AuthStore, JobQueue, ThrottleStore, KeyStore {
    /// For messages: the location with its password hidden.
    var displayName: String { get }
    /// Applies every pending migration (safe to run again, and from several machines at once).
    func migrate() async throws
    /// Throws `StorageError.notMigrated` unless every known migration has been applied.
    func requireMigrated() async throws
    /// Whether the database answers: for `/healthz`.
    func ping() async -> Bool
    /// Signals sent when jobs are queued by any process, so idle workers wake at once;
    /// nil when the backend cannot push them (workers then poll).
    var jobWakeups: JobWakeups? { get }
    /// Closes connections; call once, after the last use.
    func close() async
}

/// Opens the backend `AUTH_DATABASE` names.
public enum Storage {
    /// - Parameters:
    ///   - poolSize: the most connections this process opens (PostgreSQL) or readers (SQLite).
    ///   - listenForJobs: whether to hold a connection that listens for queued jobs (the worker).
    public static func open(
        _ location: DatabaseLocation, poolSize: Int = 10, listenForJobs: Bool = false, logger: Logger
    ) async throws -> any AuthBackend {
        switch location {
        case .sqlite(let path):
            return try AppDatabase.open(path: path, readers: poolSize, logger: logger)
        case .postgres(let server):
            return try await PostgresBackend.open(server, poolSize: poolSize, listenForJobs: listenForJobs, logger: logger)
        }
    }
}
