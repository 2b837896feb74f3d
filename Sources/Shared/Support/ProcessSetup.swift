import Logging

/// What both executables do before parsing their command line.
public enum ProcessSetup {
    /// Logs to standard error (standard output stays for what scripts read), SIGTERM/SIGINT
    /// unblocked for graceful shutdown, and glibc told to return Argon2's large blocks.
    public static func prepare() {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        Signals.unblockTermination()
        MemoryTuning.returnLargeBlocks()
    }
}
