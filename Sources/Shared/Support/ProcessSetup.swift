import Logging

/// What both executables do before parsing their command line.
public enum ProcessSetup {
    /// Logs to standard error (standard output stays for what scripts read), and SIGTERM/SIGINT
    /// unblocked for graceful shutdown.
    public static func prepare() {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        Signals.unblockTermination()
    }
}
