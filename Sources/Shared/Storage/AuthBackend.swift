import Foundation
import Logging
import ServiceLifecycle

/// Everything the processes need from storage, whichever database runs underneath: the account
/// store, the mail queue, the shared throttle counters, the signing keys, the second factors, and the schema. Handlers, the worker and
/// the commands hold an `any AuthBackend` and never learn which one it is.
public protocol AuthBackend: AuthStore, JobQueue, ThrottleStore, KeyStore, ClientStore, InteractionStore, ProviderStore, TokenSessionStore {
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
    /// What the process must run while it uses the backend (PostgreSQL: the connection pool, and
    /// for a worker the listener of queued jobs; SQLite: nothing). Run them once: in the
    /// process's `ServiceGroup`, first in its list so that they stop last, or around one-off
    /// work with `withServices`. Until they run, requests wait.
    var services: [any Service] { get }
    /// Releases what the backend holds outside its services (SQLite's connections); call once,
    /// after the last use.
    func close() async
}

extension AuthBackend {
    /// Runs the backend's services, each in a child task, until the task is cancelled (or one
    /// of them fails): for a process or a test without a `ServiceGroup`.
    public func runServices() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for service in services {
                group.addTask { try await service.run() }
            }
        }
    }

    /// Runs `body` while the backend's services run beside it, then stops them and closes the
    /// backend: the structured form of one-off work (a command, a test).
    public func withServices<T>(_ body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = .success(try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.runServices() }
                defer { group.cancelAll() }
                return try await body()
            })
        } catch {
            result = .failure(error)
        }
        await close()
        return try result.get()
    }
}

/// Opens the backend `AUTH_DATABASE` names.
public enum Storage {
    /// Opens the backend; its `services` do not run yet (the caller runs them).
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

    /// Opens the backend and runs `body` with it while its services run (`withServices`).
    public static func withBackend<T>(
        _ location: DatabaseLocation, poolSize: Int = 10, listenForJobs: Bool = false, logger: Logger,
        _ body: (any AuthBackend) async throws -> T
    ) async throws -> T {
        let backend = try await open(location, poolSize: poolSize, listenForJobs: listenForJobs, logger: logger)
        return try await backend.withServices { try await body(backend) }
    }
}
