import HTTPTypes
import Hummingbird
import Metrics
import Shared
import Synchronization

/// Request count and latency by route template (`/api/admin/users/{id}`, the router's own
/// `endpointPath`, never the raw path), method and status, under the contract's metric names
/// (`auth_http_requests_total`, `auth_http_request_duration_seconds` with labels `route`,
/// `method`, `status`). Hummingbird's `MetricsMiddleware` writes other names and labels, which
/// dashboards built on ours would lose. The handles of each label set are made once and kept:
/// looking one up in the registry on every request would cost a lock and a dictionary of its own.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let handles = Handles()

    /// Methods a route can serve, or that clients commonly send; any other is `other`.
    static var knownMethods: Set<String> { ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let method = Self.knownMethods.contains(request.method.rawValue) ? request.method.rawValue : "other"
        let (counter, timer) = handles.for(Key(route: route, method: method, status: Int(response.status.code)))
        let elapsed = ContinuousClock.now - started
        counter.increment()
        timer.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }

    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// The counter and timer of each label set, made on first use.
    final class Handles: Sendable {
        private let made = Mutex<[Key: (Metrics.Counter, Metrics.Timer)]>([:])

        func `for`(_ key: Key) -> (Metrics.Counter, Metrics.Timer) {
            made.withLock { made in
                if let found = made[key] { return found }
                let dimensions = [("route", key.route), ("method", key.method), ("status", String(key.status))]
                let handles = (Metrics.Counter(label: ServiceMetrics.httpRequests, dimensions: dimensions),
                               Metrics.Timer(label: ServiceMetrics.httpRequestDuration, dimensions: dimensions))
                made[key] = handles
                return handles
            }
        }
    }
}
