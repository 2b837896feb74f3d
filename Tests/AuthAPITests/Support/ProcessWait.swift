import Foundation

extension Process {
    /// Waits for exit by polling: Foundation's `waitUntilExit` spins a CPU on Linux when the
    /// run loop has no sources.
    func waitForExit(timeout: TimeInterval = 60) {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(5_000) }
        if isRunning {
            kill(processIdentifier, SIGKILL)
            while isRunning { usleep(5_000) }
        }
    }
}
