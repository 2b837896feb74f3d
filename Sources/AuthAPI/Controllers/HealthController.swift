import Hummingbird
import Shared

/// `GET /healthz` (liveness): 200 while the database answers, else 503. `GET /readyz`
/// (readiness): 200 when the database answers and holds every migration, else 503.
struct HealthController {
    let database: any AuthBackend

    struct Status: Encodable { let status: String }

    func addRoutes(to router: inout APIRouter) {
        router.on("/healthz", .get) { _, _ in
            if await database.ping() {
                return try JSONResponse.make(Status(status: "ok"), noStore: false)
            }
            return try JSONResponse.make(Status(status: "unavailable"), status: .serviceUnavailable, noStore: false)
        }
        router.on("/readyz", .get) { _, _ in
            do {
                try await database.requireMigrated()
                return try JSONResponse.make(Status(status: "ready"), noStore: true)
            } catch {
                return try JSONResponse.make(Status(status: "unavailable"), status: .serviceUnavailable, noStore: true)
            }
        }
    }
}
