import ArgumentParser
import Shared

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the database schema (AUTH_DATABASE). Safe to run again.")

    func run() async throws {
        let configuration = try CommandSupport.configuration()
        let logger = Startup.logger(label: "AuthAPI")
        try await Startup.withDatabase(configuration.common, requireMigrated: false, logger: logger) { database in
            do {
                try await database.migrate()
            } catch {
                Startup.fail("error: migration of \(database.displayName) failed: \(error)")
            }
            print("database \(database.displayName) is migrated")
        }
    }
}
