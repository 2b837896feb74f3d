import ArgumentParser
import Foundation
import Logging
import MetricsServer
import ServiceLifecycle
import Shared

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Send queued mail until stopped (SIGTERM/SIGINT: finish the sends in flight, then exit 0).")

    @Flag(help: "Send what is due now, then exit.")
    var once = false

    func run() async throws {
        let configuration = WorkerSupport.configuration()
        let logger = Startup.logger(label: "MailWorker")
        // Before the dispatcher makes any metric, so that they land in the served registry.
        let metrics = configuration.metricsPort.map { _ in MetricsServer.bootstrap(latencyHistograms: [ServiceMetrics.sendDuration]) }
        if once {
            try await Startup.withDatabase(configuration.common, requireMigrated: true, logger: logger) { database in
                let (dispatcher, threadPool) = try buildDispatcher(configuration: configuration, database: database, logger: logger)
                let handled = try await dispatcher.drain()
                print("handled \(handled) job\(handled == 1 ? "" : "s")")
                try await threadPool.shutdownGracefully()
            }
            return
        }
        let database = await Startup.openDatabase(configuration.common, listenForJobs: true, logger: logger)
        let (dispatcher, threadPool) = try buildDispatcher(configuration: configuration, database: database, logger: logger)
        // The database's services first, so that they stop last; the dispatcher starts once the
        // database is known to be migrated.
        var services = database.services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        services.append(.init(service: PreludeService(dispatcher) { try await database.requireMigrated() }))
        if let metrics, let port = configuration.metricsPort {
            // Jobs by state and the oldest queued job's age are read from the queue at each scrape.
            services.append(.init(service: metrics.service(host: configuration.metricsHost, port: port, logger: logger) {
                if let status = try? await database.status(now: Date()) { ServiceMetrics.queue(status) }
            }))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as StorageError {
            Startup.fail("error: \(error.description)")
        }
        try await threadPool.shutdownGracefully()
        await database.close()
    }
}
