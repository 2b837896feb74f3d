import Foundation

/// Process signal set-up shared by both executables.
public enum Signals {
    /// A process inherits its blocked-signal mask from whoever spawned it; a supervisor or test
    /// runner thread with SIGTERM blocked would make us deaf to shutdown. Unblock the signals
    /// that graceful shutdown listens to.
    public static func unblockTermination() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}
