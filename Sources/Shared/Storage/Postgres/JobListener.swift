import Logging
import PostgresNIO
import ServiceLifecycle

/// Holds a connection that `LISTEN`s for queued jobs and signals `wakeups`, so idle workers
/// wake at once: a service of the worker's `ServiceGroup`, beside the pool it borrows the
/// connection from. Reconnects a second after the connection drops (workers poll meanwhile);
/// ends on graceful shutdown or cancellation.
struct JobListener: Service {
    let client: PostgresClient
    let wakeups: JobWakeups
    let connectionWait: ConnectionWait<ContinuousClock>
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown { await listen() }
    }

    private func listen() async {
        while !Task.isCancelled {
            do {
                try await connectionWait.untilPoolRuns()
                try await client.withConnection { connection in
                    try await connection.listen(on: PostgresBackend.jobChannel) { notifications in
                        // Jobs queued while no one listened: look once now.
                        wakeups.signal()
                        for try await _ in notifications { wakeups.signal() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for queued jobs failed; polling until it reconnects", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
