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

    static func migratedDatabase(_ path: String) -> AppDatabase {
        do {
            let database = try AppDatabase.open(path: path)
            try database.requireMigrated()
            return database
        } catch let error as StorageError {
            fail("error: \(error.description)")
        } catch {
            fail("error: cannot open database \(path): \(error)")
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
