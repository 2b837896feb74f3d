import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The PostgreSQL backend: the same `AuthBackend` contract as SQLite, for several API replicas
/// and workers on several machines. Every operation is one transaction (or one autocommit statement) on a pooled connection;
/// the invariants SQLite gets from its single writer come here from row locks (`FOR UPDATE`),
/// `SKIP LOCKED` claiming, unique indexes and advisory locks, so nothing relies on one process.
public final class PostgresBackend: Sendable {
    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    private let runner: Task<Void, Never>
    /// Signalled once the client's `run()` task has begun.
    private let started: JobWakeups
    private let listener: Task<Void, Never>?
    public let jobWakeups: JobWakeups?

    /// The channel a job insert notifies (in its transaction, so only committed jobs wake workers).
    static let jobChannel = "auth_mail_jobs"

    private init(client: PostgresClient, location: PostgresLocation, listen: Bool, logger: Logger) {
        self.client = client
        self.location = location
        self.logger = logger
        let started = JobWakeups()
        self.started = started
        runner = Task {
            started.signal()
            await client.run()
        }
        if listen {
            let wakeups = JobWakeups()
            jobWakeups = wakeups
            listener = Task { await Self.listen(client: client, wakeups: wakeups, logger: logger) }
        } else {
            jobWakeups = nil
            listener = nil
        }
    }

    /// Opens one connection first, so a wrong address, password or database name is reported at
    /// start-up with the server's own words; after that the pool reconnects by itself (a request
    /// waits up to 15 s for an unreachable server, then fails and `/healthz` answers 503).
    public static func open(_ location: PostgresLocation, poolSize: Int, listenForJobs: Bool, logger: Logger) async throws -> PostgresBackend {
        try await checkConnection(location, logger: logger)
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls(for: location))
        // The listener holds one connection for good: it must not starve the queries.
        configuration.options.maximumConnections = poolSize + (listenForJobs ? 1 : 0)
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let backend = PostgresBackend(client: client, location: location, listen: listenForJobs, logger: logger)
        // Let `run()` start before the first query (the pool lends connections only while it runs).
        await backend.started.wait(timeout: .seconds(5))
        return backend
    }

    /// libpq's `sslmode` over NIOSSL: `require` encrypts without checking the certificate (as
    /// libpq does), `verify-ca` checks the chain, `verify-full` the chain and the host name.
    enum TLSChoice {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    static func tlsChoice(for location: PostgresLocation) -> TLSChoice {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        var verified = TLSConfiguration.makeClientConfiguration()
        if let file = location.rootCertificate { verified.trustRoots = .file(file) }
        switch location.sslMode {
        case .disable:
            return .disable
        case .allow, .prefer:
            return .prefer(unverified)
        case .require:
            return .require(unverified)
        case .verifyCA:
            verified.certificateVerification = .noHostnameVerification
            return .require(verified)
        case .verifyFull:
            return .require(verified)
        }
    }

    static func tls(for location: PostgresLocation) -> PostgresClient.Configuration.TLS {
        switch tlsChoice(for: location) {
        case .disable: return .disable
        case .prefer(let configuration): return .prefer(configuration)
        case .require(let configuration): return .require(configuration)
        }
    }

    static func checkConnection(_ location: PostgresLocation, logger: Logger) async throws {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsChoice(for: location) {
        case .disable: tls = .disable
        case .prefer(let configuration): tls = .prefer(try NIOSSLContext(configuration: configuration))
        case .require(let configuration): tls = .require(try NIOSSLContext(configuration: configuration))
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch let error as PSQLError {
            throw StorageError.unreachable(location.redacted, Self.describe(error))
        } catch {
            throw StorageError.unreachable(location.redacted, "\(error)")
        }
    }

    /// The server's message when there is one (wrong password, unknown database), else the
    /// connection error (refused, timed out) — never the query or the password.
    static func describe(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }

    /// Holds a connection that `LISTEN`s for queued jobs and signals `wakeups`; reconnects after
    /// a second when the connection drops (workers poll meanwhile).
    private static func listen(client: PostgresClient, wakeups: JobWakeups, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: jobChannel) { notifications in
                        // Jobs queued while no one listened: look once now.
                        wakeups.signal()
                        for try await _ in notifications { wakeups.signal() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for queued jobs failed; polling until it reconnects", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    // MARK: Transactions

    /// Runs `body` in one transaction on one pooled connection, retrying the whole transaction
    /// on a deadlock or serialization failure; the body's own errors come out unchanged.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 4 && Self.isRetryable(error) {
                continue
            }
        }
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        let state = error.serverInfo?[.sqlState]
        return state == "40P01" || state == "40001"
    }

    static func isUniqueViolation(_ error: any Error) -> Bool { sqlState(error) == "23505" }
}

extension PostgresBackend: AuthBackend {
    public var displayName: String { location.redacted }

    public func migrate() async throws {
        try await transaction { connection in
            try await PostgresMigrations.migrate(connection, logger: logger)
        }
    }

    public func requireMigrated() async throws {
        let done = try await client.withConnection { connection in
            try await PostgresMigrations.isComplete(connection, logger: logger)
        }
        guard done else { throw StorageError.notMigrated(location.redacted) }
    }

    /// Answers within two seconds: a load balancer's health check must not hang while the pool
    /// waits for an unreachable server.
    public func ping() async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { [client, logger] in
                (try? await client.query("SELECT 1", logger: logger).collect().count) == 1
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    public func close() async {
        listener?.cancel()
        _ = await listener?.value
        runner.cancel()
        _ = await runner.value
    }
}
