import Foundation
import Logging
import Shared

/// Helpers shared by the subcommands: configuration with readable errors, the database.
enum WorkerSupport {
    static func configuration() -> WorkerConfiguration {
        do {
            return try WorkerConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            fail(error.description, code: 2)
        } catch {
            fail("configuration error: \(error)", code: 2)
        }
    }

    /// Opens `AUTH_DATABASE` and exits with a message unless it is migrated. `listen`: hold a
    /// connection that wakes the loop when a job is queued (PostgreSQL).
    static func migratedDatabase(_ common: CommonConfiguration, listen: Bool = false, logger: Logger) async -> any AuthBackend {
        do {
            let database = try await Storage.open(
                common.database, poolSize: common.databasePoolSize, listenForJobs: listen, logger: logger)
            try await database.requireMigrated()
            return database
        } catch let error as StorageError {
            fail("error: \(error.description)")
        } catch {
            fail("error: cannot open database \(common.database.redacted): \(error)")
        }
    }

    static func logger() -> Logger {
        var logger = Logger(label: "MailWorker")
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        logger.logLevel = level ?? .info
        return logger
    }

    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}
