import Hummingbird
import Shared

/// `GET /healthz` (liveness): 200 while the database answers, else 503. `GET /readyz`
/// (readiness): 200 when the database answers and holds every migration, else 503.
struct HealthController {
    let database: any AuthBackend

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("healthz", use: health)
        routes.get("readyz", use: ready)
        return routes
    }

    /// Cacheable: a probe's answer holds nothing personal.
    @Sendable func health(_ request: Request, context: APIRequestContext) async throws -> Response {
        if await database.ping() {
            return try HealthResponse(status: "ok").response(noStore: false)
        }
        return try HealthResponse(status: "unavailable").response(status: .serviceUnavailable, noStore: false)
    }

    @Sendable func ready(_ request: Request, context: APIRequestContext) async throws -> Response {
        do {
            try await database.requireMigrated()
            return try HealthResponse(status: "ready").response()
        } catch {
            return try HealthResponse(status: "unavailable").response(status: .serviceUnavailable)
        }
    }
}
