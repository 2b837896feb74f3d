import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The PostgreSQL backend: the same `AuthBackend` contract as SQLite, for several API replicas
/// and workers on several machines. Every operation is one transaction (or one autocommit statement) on a pooled connection;
/// the invariants SQLite gets from its single writer come here from row locks (`FOR UPDATE`),
/// `SKIP LOCKED` claiming, unique indexes and advisory locks, so nothing relies on one process.
public final class PostgresBackend: Sendable {
    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    /// Logs an outage once per episode (see `withPooledConnection`).
    let health: StorageHealth
    /// The bounded wait for a pooled connection (see `withPooledConnection`).
    let connectionWait: ConnectionWait<ContinuousClock>
    public let jobWakeups: JobWakeups?

    /// The channel a job insert notifies (in its transaction, so only committed jobs wake workers).
    static let jobChannel = "auth_mail_jobs"

    private init(client: PostgresClient, location: PostgresLocation, listen: Bool, logger: Logger) {
        self.client = client
        self.location = location
        self.logger = logger
        let health = StorageHealth(logger: logger)
        self.health = health
        connectionWait = ConnectionWait(clock: ContinuousClock(), health: health, probe: Self.probe(location))
        jobWakeups = listen ? JobWakeups() : nil
    }

    /// Opens one connection first, so a wrong address, password or database name is reported at
    /// start-up with the server's own words; after that the pool (one of `services`, which the
    /// process runs) reconnects by itself, and a request waits at most `ConnectionWait.Limits.wait`
    /// for a connection once a failure is known (then 503, see `withPooledConnection`).
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
        return PostgresBackend(client: client, location: location, listen: listenForJobs, logger: logger)
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

    // MARK: Connections

    static let probeTimeout: TimeAmount = .milliseconds(500)

    /// Whether the server's host refuses a TCP connection to its port (nothing listens: the
    /// server is stopped or restarting), answered through the callback without a task of its
    /// own. A timeout or an accepted connection is no: on a busy event loop a probe that times
    /// out proves nothing.
    static func probe(_ location: PostgresLocation) -> @Sendable (@escaping @Sendable (Bool) -> Void) -> Void {
        { answer in
            ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(probeTimeout)
                .connect(host: location.host, port: location.port)
                .whenComplete { result in
                    switch result {
                    case .success(let channel):
                        channel.close(promise: nil)
                        answer(false)
                    case .failure(let error as NIOConnectionError):
                        answer(error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED })
                    case .failure(let error as IOError):
                        answer(error.errnoCode == ECONNREFUSED)
                    case .failure:
                        answer(false)
                    }
                }
        }
    }

    /// Runs `body` on a pooled connection lent within `ConnectionWait`'s wait, else throws
    /// `StorageError.unavailable`: a connection lent after that runs nothing (the caller has
    /// already answered), so no request that failed commits later. A connection that fails (the
    /// server stopped, the network dropped it) is `unavailable` too: the transaction did not
    /// commit, or its outcome is unknown to the client as to any — the caller may retry. The
    /// failure that begins an outage refuses every request still waiting for a connection. Every
    /// statement checks first that its connection is open (`PostgresConnection.ensureOpen`), and
    /// a body still running on a connection that has closed is abandoned: a closed connection
    /// can commit nothing more.
    func withPooledConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = self.client
        let connectionWait = self.connectionWait
        do {
            let value: T = try await connectionWait.run { request in
                do {
                    try await connectionWait.untilPoolRuns()
                    request.finish(.success(try await client.withConnection { connection in
                        guard request.lend(connectionClosed: { connection.isClosed }) else { throw ConnectionWait<ContinuousClock>.refusal }
                        return try await body(connection)
                    }))
                } catch {
                    request.finish(.failure(error))
                }
            }
            health.succeeded()
            return value
        } catch let error as StorageError {
            if case .unavailable(let reason) = error { failed(reason) }
            throw error
        } catch let error as PSQLError where Self.isConnectionFailure(error) {
            failed(.databaseUnreachable)
            throw StorageError.unavailable(.databaseUnreachable)
        }
    }

    /// An operation failed for `reason`: logged once per episode, and when it begins one, the
    /// requests still waiting for a connection are refused at once.
    private func failed(_ reason: StorageError.Unavailability) {
        if health.failed(reason) { connectionWait.outageBegan() }
    }

    /// A failure of the connection rather than of the statement: no server answer at all, or
    /// the server ending the session (class 08 connection exceptions, 57P01-03 shutdowns).
    static func isConnectionFailure(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else {
            return [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .unexpectedBackendMessage]
                .contains(error.code)
        }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    // MARK: Transactions

    /// Runs `body` in one transaction on one pooled connection, retrying the whole transaction
    /// on a deadlock or serialization failure; the body's own errors come out unchanged.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        let logger = self.logger
        while true {
            attempt += 1
            do {
                return try await withPooledConnection { connection in
                    try await connection.run("BEGIN", logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.run("COMMIT", logger: logger)
                        return value
                    } catch {
                        try? await connection.run("ROLLBACK", logger: logger)
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
        try await transaction { [logger] connection in
            try await PostgresMigrations.migrate(connection, logger: logger)
        }
    }

    public func requireMigrated() async throws {
        let logger = self.logger
        let done = try await withPooledConnection { connection in
            try await PostgresMigrations.isComplete(connection, logger: logger)
        }
        guard done else { throw StorageError.notMigrated(location.redacted) }
    }

    /// Answers within `ConnectionWait`'s wait: a load balancer's health check must not hang
    /// while the pool waits for an unreachable server.
    public func ping() async -> Bool {
        let logger = self.logger
        return (try? await withPooledConnection { connection in
            try await connection.rows("SELECT 1", logger: logger).count
        }) == 1
    }

    /// The connection pool, and for a worker the listener of queued jobs; the pool first, so a
    /// `ServiceGroup` stops it last.
    public var services: [any Service] {
        let pool = PostgresPoolService(client: client, connectionWait: connectionWait)
        guard let jobWakeups else { return [pool] }
        return [pool, JobListener(client: client, wakeups: jobWakeups, connectionWait: connectionWait, logger: logger)]
    }

    /// Nothing to release: the connections close when the pool's service ends.
    public func close() async {}
}
