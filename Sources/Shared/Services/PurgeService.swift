import Logging
import ServiceLifecycle

/// Periodically deletes expired rows (sessions, codes, cooldowns), as simplejwt's
/// `flushexpiredtokens` command would if run by cron; stops with graceful shutdown.
public struct PurgeService: Service {
    let interval: Duration
    let logger: Logger
    let purge: @Sendable () async throws -> Int

    public init(interval: Duration, logger: Logger, purge: @escaping @Sendable () async throws -> Int) {
        self.interval = interval
        self.logger = logger
        self.purge = purge
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let removed = try await purge()
                if removed > 0 { logger.info("purged expired rows", metadata: ["rows": "\(removed)"]) }
            } catch {
                logger.warning("purge failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
