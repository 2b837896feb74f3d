import ArgumentParser
import Logging
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
        let database = await Startup.openDatabase(configuration.common, requireMigrated: true, listenForJobs: !once, logger: logger)
        let (dispatcher, threadPool) = try buildDispatcher(configuration: configuration, database: database, logger: logger)
        if once {
            let handled = try await dispatcher.drain()
            print("handled \(handled) job\(handled == 1 ? "" : "s")")
        } else {
            let group = ServiceGroup(
                configuration: .init(services: [.init(service: dispatcher)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
        try await threadPool.shutdownGracefully()
        await database.close()
    }
}
