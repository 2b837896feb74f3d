import Logging
import ServiceLifecycle

/// Reads the signing keys again every `AUTH_KEYS_REFRESH` seconds, so that every replica sees a
/// generated, activated or revoked key within that bound; stops with graceful shutdown.
public struct KeyRefreshService: Service {
    let ring: KeyRing
    let interval: Duration
    let logger: Logger

    public init(ring: KeyRing, interval: Duration, logger: Logger) {
        self.ring = ring
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                try await ring.refresh()
            } catch {
                // The last keys stay in use; a revocation waits for the next successful read.
                logger.warning("reading the signing keys failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
