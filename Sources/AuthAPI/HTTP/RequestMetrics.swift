import HTTPTypes
import Metrics
import Shared
import Synchronization

/// Request count and latency by route template (`/api/admin/users/{id}`, never the raw path),
/// method and status. The handles of each label set are made once and kept: looking one up in
/// the registry on every request would cost a lock and a dictionary of its own.
final class RequestMetrics: Sendable {
    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private let handles = Mutex<[Key: (Metrics.Counter, Metrics.Timer)]>([:])

    /// Methods a route can serve, or that clients commonly send; any other is `other`.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    func record(route: String?, method: HTTPRequest.Method, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let key = Key(route: route ?? "unmatched", method: Self.knownMethods.contains(method.rawValue) ? method.rawValue : "other",
                      status: status)
        let (counter, timer) = handles.withLock { handles in
            if let found = handles[key] { return found }
            let dimensions = [("route", key.route), ("method", key.method), ("status", String(key.status))]
            let made = (Metrics.Counter(label: ServiceMetrics.httpRequests, dimensions: dimensions),
                        Metrics.Timer(label: ServiceMetrics.httpRequestDuration, dimensions: dimensions))
            handles[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
