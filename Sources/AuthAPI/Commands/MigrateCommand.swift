import ArgumentParser
import Shared

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the database schema (AUTH_DATABASE). Safe to run again.")

    func run() async throws {
        let configuration = try CommandSupport.configuration()
        let database = CommandSupport.openDatabase(configuration.common.databasePath)
        do {
            try database.migrate()
        } catch {
            CommandSupport.fail("error: migration of \(database.path) failed: \(error)")
        }
        print("database \(database.path) is migrated")
    }
}
