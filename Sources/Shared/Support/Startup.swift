import Foundation
import Logging

/// What both executables' subcommands need at start-up: a logger at `LOG_LEVEL`, the database
/// opened (and checked) from the configuration, and a clean exit with a message on failure.
public enum Startup {
    /// A logger at `LOG_LEVEL` (default `info`).
    public static func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        logger.logLevel = level ?? .info
        return logger
    }

    /// Opens `AUTH_DATABASE`; with `requireMigrated`, exits with a message unless it is migrated.
    /// `listenForJobs`: hold a connection that wakes the worker when a job is queued (PostgreSQL).
    public static func openDatabase(
        _ common: CommonConfiguration, requireMigrated: Bool, listenForJobs: Bool = false, logger: Logger
    ) async -> any AuthBackend {
        do {
            let database = try await Storage.open(
                common.database, poolSize: common.databasePoolSize, listenForJobs: listenForJobs, logger: logger)
            if requireMigrated { try await database.requireMigrated() }
            return database
        } catch let error as StorageError {
            fail("error: \(error.description)")
        } catch {
            fail("error: cannot open database \(common.database.redacted): \(error)")
        }
    }

    /// Writes the message to standard error and exits with `code`.
    public static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}
