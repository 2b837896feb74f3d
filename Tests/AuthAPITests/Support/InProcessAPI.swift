import Foundation
import HummingbirdTesting
import Logging
import Shared
import Synchronization
@testable import AuthAPI

/// API replicas built in this process by `buildApplication`, each run by HummingbirdTesting
/// (`app.test(.router)`: requests go straight to the router, no socket; `.live`: a server on a
/// loopback port) — the contract tests need neither signals nor a process of their own, and
/// launching one per test cost most of the suite's time. Every replica has its own storage pool,
/// key ring and services over the one database, as separate processes would.
final class InProcessAPI: Sendable {
    enum Transport: Sendable {
        /// `app.test(.router)`: no socket; the peer address is unknown, there is no port.
        case router
        /// `app.test(.live)`: a real listener on 127.0.0.1, for clients that need a port.
        case live
    }

    let clients: [any TestClientProtocol]
    private let stops: [Stop]
    private let runs: [Task<Void, any Error>]

    /// Lets a replica's test closure, and with it the application, end.
    final class Stop: Sendable {
        private let state = Mutex<(stopped: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resume = state.withLock { state -> Bool in
                    if state.stopped { return true }
                    state.waiter = continuation
                    return false
                }
                if resume { continuation.resume() }
            }
        }

        func signal() {
            state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.stopped = true
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }

    private init(clients: [any TestClientProtocol], stops: [Stop], runs: [Task<Void, any Error>]) {
        self.clients = clients
        self.stops = stops
        self.runs = runs
    }

    /// Starts `replicas` applications configured by `environment` (as `AuthAPI serve` reads it);
    /// returns once each answers requests.
    static func start(replicas: Int, environment: [String: String], transport: Transport) async throws -> InProcessAPI {
        let configuration = try APIConfiguration.fromEnvironment(environment)
        var logger = Logger(label: "AuthAPI")
        logger.logLevel = .critical
        var clients: [any TestClientProtocol] = []
        var stops: [Stop] = []
        var runs: [Task<Void, any Error>] = []
        for _ in 0..<max(1, replicas) {
            let database = try await Storage.open(
                configuration.common.database, poolSize: configuration.common.databasePoolSize, logger: logger)
            let app = try await buildApplication(configuration: configuration, database: database, logger: logger)
            let (started, publish) = AsyncStream.makeStream(of: (any TestClientProtocol).self)
            let stop = Stop()
            let setup: TestingSetup = transport == .router ? .router : .live
            runs.append(Task {
                defer { publish.finish() }
                do {
                    try await app.test(setup) { client in
                        publish.yield(client)
                        await stop.wait()
                    }
                } catch {
                    await database.close()
                    throw error
                }
                await database.close()
            })
            guard let client = await started.first(where: { _ in true }) else {
                throw TestServerError.failed("an in-process API did not start")
            }
            clients.append(client)
            stops.append(stop)
        }
        return InProcessAPI(clients: clients, stops: stops, runs: runs)
    }

    /// Ends every replica gracefully and waits for them.
    func stop() async {
        for stop in stops { stop.signal() }
        for run in runs { _ = try? await run.value }
    }

    /// Lets every replica end by itself, without waiting (from a `deinit`).
    func stopInBackground() {
        for stop in stops { stop.signal() }
    }
}
