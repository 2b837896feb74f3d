import ArgumentParser
import Hummingbird
import Shared

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (AUTH_HOST, AUTH_PORT; AUTH_PORT=0 picks a free port). Refuses an unmigrated database.")

    func run() async throws {
        let configuration = try CommandSupport.configuration()
        let logger = Startup.logger(label: "AuthAPI")
        let database = await Startup.openDatabase(configuration.common, logger: logger)
        do {
            let app = try await buildApplication(configuration: configuration, database: database, logger: logger)
            try await app.runService()
        } catch let error as StorageError {
            Startup.fail("error: \(error.description)")
        } catch let error as KeyError {
            Startup.fail("error: \(error.description)")
        }
        await database.close()
    }
}
