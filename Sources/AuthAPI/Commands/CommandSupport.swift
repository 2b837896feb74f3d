import ArgumentParser
import Foundation
import Logging
import Shared

/// Helpers shared by the subcommands: configuration with readable errors, opening the database.
enum CommandSupport {
    static func configuration() throws -> APIConfiguration {
        do {
            return try APIConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            fail(error.description, code: 2)
        }
    }

    /// Opens `AUTH_DATABASE`; with `requireMigrated`, exits with a message unless it is migrated.
    static func openDatabase(_ common: CommonConfiguration, requireMigrated: Bool, logger: Logger) async -> any AuthBackend {
        do {
            let database = try await Storage.open(common.database, poolSize: common.databasePoolSize, logger: logger)
            if requireMigrated { try await database.requireMigrated() }
            return database
        } catch let error as StorageError {
            fail("error: \(error.description)")
        } catch {
            fail("error: cannot open database \(common.database.redacted): \(error)")
        }
    }

    static func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        logger.logLevel = level ?? .info
        return logger
    }

    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}
