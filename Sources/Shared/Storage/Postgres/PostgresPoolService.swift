import PostgresNIO
import ServiceLifecycle

/// `PostgresClient.run()`, the connection pool's own loop, as a service of the process's
/// `ServiceGroup` (or of `AuthBackend.withServices`): the pool lends connections only while it
/// runs. It first tells `ConnectionWait`, whose requests wait for it. On graceful shutdown or
/// cancellation the pool closes its connections and `run()` returns; a group stops its services
/// last to first, so the pool comes first in the list and outlives the work that uses it.
struct PostgresPoolService: Service {
    let client: PostgresClient
    let connectionWait: ConnectionWait<ContinuousClock>

    func run() async {
        connectionWait.poolStarted()
        await client.run()
    }
}
