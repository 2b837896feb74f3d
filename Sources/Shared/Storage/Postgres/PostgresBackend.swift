import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

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
        health = StorageHealth(logger: logger)
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
    /// start-up with the server's own words; after that the pool reconnects by itself, and a
    /// request waits at most `connectionWait` for a connection (then 503, see `withPooledConnection`).
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

    // MARK: Connections

    /// How long a request waits for a pooled connection: while the server is down (or every
    /// connection stays busy) the pool would hold requests until its connect timeout and beyond
    /// — clients gave up after 10 s, and the work ran later, when the server was back. Past
    /// this wait the request is refused (`unavailable`, 503) and its work never starts.
    static let connectionWait: Duration = .seconds(1)
    /// A request still waiting after `connectionWait` while no failure has been seen probes the
    /// server's port (`refuses`): refused, the server is down — the outage begins and every
    /// waiting request is refused; otherwise the pool may only be slow (opening connections on
    /// a loaded host can take seconds, and a probe that times out proves nothing on a busy
    /// event loop), and the request waits up to this long.
    static let connectionWaitWhileServing: Duration = .seconds(30)
    static let probeTimeout: TimeAmount = .milliseconds(500)

    /// Whether the server's host refuses a TCP connection to its port (nothing listens: the
    /// server is stopped or restarting). A timeout or an accepted connection is no.
    static func refuses(_ location: PostgresLocation) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(probeTimeout)
                .connect(host: location.host, port: location.port).get()
            try? await channel.close()
            return false
        } catch let error as NIOConnectionError {
            return error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
        } catch let error as IOError {
            return error.errnoCode == ECONNREFUSED
        } catch {
            return false
        }
    }

    /// Runs `body` on a pooled connection lent within `connectionWait` (while the database is
    /// known to be failing; `connectionWaitWhileServing` otherwise), else throws
    /// `StorageError.unavailable` and cancels the wait: a connection lent after that runs
    /// nothing (the caller has already answered), so no request that failed commits later. A
    /// connection that fails (the server stopped, the network dropped it) is `unavailable`
    /// too: the transaction did not commit, or its outcome is unknown to the client as to
    /// any — the caller may retry. postgres-nio does not always fail a query whose connection
    /// closes under it (a fast shutdown of the server left such queries waiting for good), so
    /// a body still running after `connectionWait` is watched and abandoned once its
    /// connection is closed: a closed connection can commit nothing more.
    func withPooledConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let lease = LeaseClaim()
        let client = self.client
        do {
            let value: T = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let answer = Answer(continuation)
                // Unstructured on purpose: the caller is answered when the wait runs out (or the
                // connection dies), without waiting for the pool or the query to give up.
                let work = Task {
                    do {
                        answer.resume(with: .success(try await client.withConnection { connection in
                            guard lease.lend(connection) else { throw StorageError.unavailable(.databaseUnreachable) }
                            defer { lease.finish() }
                            return try await body(connection)
                        }))
                    } catch {
                        answer.resume(with: .failure(error))
                    }
                }
                lease.timer = Task { [health, location] in
                    let started = ContinuousClock.now
                    try? await Task.sleep(for: Self.connectionWait)
                    var refused: Bool?
                    while !Task.isCancelled {
                        if let connection = lease.running {
                            // A closed connection, or a server that is down (its port refuses),
                            // commits nothing more: the body is abandoned. Otherwise it runs on.
                            if !connection.isClosed {
                                if health.outage != nil && refused == nil { refused = await Self.refuses(location) }
                                guard refused == true else {
                                    try? await Task.sleep(for: .milliseconds(100))
                                    continue
                                }
                            }
                        } else if health.outage == nil && refused == nil {
                            // No failure seen yet: is the server there at all, or only slow to lend?
                            refused = await Self.refuses(location)
                            if refused == true { health.failed(.databaseUnreachable) }
                            continue
                        } else if health.outage == nil && ContinuousClock.now - started < Self.connectionWaitWhileServing {
                            try? await Task.sleep(for: .milliseconds(100))
                            continue
                        } else if !lease.abandon() {
                            return
                        }
                        answer.resume(with: .failure(StorageError.unavailable(.databaseUnreachable)))
                        work.cancel()
                        return
                    }
                }
            }
            health.succeeded()
            return value
        } catch let error as StorageError {
            if case .unavailable(let reason) = error { health.failed(reason) }
            throw error
        } catch let error as PSQLError where Self.isConnectionFailure(error) {
            health.failed(.databaseUnreachable)
            throw StorageError.unavailable(.databaseUnreachable)
        }
    }

    /// Resumes a continuation once, whoever comes first.
    final class Answer<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T, any Error>?>

        init(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation = Mutex(continuation)
        }

        func resume(with result: Result<T, any Error>) {
            continuation.withLock { $0.take() }?.resume(with: result)
        }
    }

    /// One connection request: waiting for the pool, then lent (running the body) and
    /// finished — or abandoned when the wait ran out first. Whichever of the pool and the
    /// timer comes second does nothing; the timer is cancelled once the body has finished.
    final class LeaseClaim: Sendable {
        enum State { case waiting, lent, abandoned, finished }
        private let state = Mutex<(state: State, timer: Task<Void, Never>?, connection: PostgresConnection?)>((.waiting, nil, nil))

        /// The pool lent `connection`: false when the request was abandoned meanwhile.
        func lend(_ connection: PostgresConnection) -> Bool {
            state.withLock { current in
                guard current.state == .waiting else { return false }
                current.state = .lent
                current.connection = connection
                return true
            }
        }

        /// The wait ran out: true when no connection had been lent.
        func abandon() -> Bool {
            state.withLock { current in
                guard current.state == .waiting else { return false }
                current.state = .abandoned
                return true
            }
        }

        func finish() {
            let timer = state.withLock { current -> Task<Void, Never>? in
                current.state = .finished
                current.connection = nil
                return current.timer
            }
            timer?.cancel()
        }

        /// The lent connection while the body runs.
        var running: PostgresConnection? {
            state.withLock { $0.state == .lent ? $0.connection : nil }
        }

        /// The task that abandons or watches the request; cancelled at once when set after the end.
        var timer: Task<Void, Never>? {
            get { state.withLock { $0.timer } }
            set {
                let finished = state.withLock { current -> Bool in
                    current.timer = newValue
                    return current.state == .finished
                }
                if finished { newValue?.cancel() }
            }
        }
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

    /// Answers within `connectionWait`: a load balancer's health check must not hang while the
    /// pool waits for an unreachable server.
    public func ping() async -> Bool {
        let logger = self.logger
        return (try? await withPooledConnection { connection in
            try await connection.query("SELECT 1", logger: logger).collect().count
        }) == 1
    }

    public func close() async {
        listener?.cancel()
        _ = await listener?.value
        runner.cancel()
        _ = await runner.value
    }
}
