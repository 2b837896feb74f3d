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

    /// Opens `AUTH_DATABASE` for a long-running process, or exits with a message: the process
    /// runs the backend's `services` first in its `ServiceGroup`, and its start-up queries
    /// (`requireMigrated`) inside that group. `listenForJobs`: hold a connection that wakes the
    /// worker when a job is queued (PostgreSQL).
    public static func openDatabase(_ common: CommonConfiguration, listenForJobs: Bool = false, logger: Logger) async -> any AuthBackend {
        do {
            return try await Storage.open(common.database, poolSize: common.databasePoolSize, listenForJobs: listenForJobs, logger: logger)
        } catch {
            failToOpen(common, error)
        }
    }

    /// Opens `AUTH_DATABASE` for a one-off command and runs `body` with it while its services
    /// run, then closes it; exits with a message when it cannot be opened or, with
    /// `requireMigrated`, is not migrated.
    public static func withDatabase<T>(
        _ common: CommonConfiguration, requireMigrated: Bool, logger: Logger, _ body: (any AuthBackend) async throws -> T
    ) async throws -> T {
        let database = await openDatabase(common, logger: logger)
        return try await database.withServices {
            if requireMigrated {
                do {
                    try await database.requireMigrated()
                } catch {
                    failToOpen(common, error)
                }
            }
            return try await body(database)
        }
    }

    private static func failToOpen(_ common: CommonConfiguration, _ error: any Error) -> Never {
        if let error = error as? StorageError { fail("error: \(error.description)") }
        fail("error: cannot open database \(common.database.redacted): \(error)")
    }

    /// Writes the message to standard error and exits with `code`.
    public static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}
