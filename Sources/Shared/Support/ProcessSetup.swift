import Foundation
import Logging

/// What both executables do before parsing their command line.
public enum ProcessSetup {
    /// Logs to standard error (standard output stays for what scripts read) as text, or with
    /// `LOG_FORMAT=json` one JSON object per line; SIGTERM/SIGINT unblocked for graceful shutdown.
    public static func prepare(environment: [String: String] = ProcessInfo.processInfo.environment) {
        switch environment["LOG_FORMAT"]?.lowercased() ?? "" {
        case "", "text":
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
        case "json":
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        default:
            Startup.fail("LOG_FORMAT=\(environment["LOG_FORMAT"] ?? ""): expected text or json")
        }
        Signals.unblockTermination()
    }
}
