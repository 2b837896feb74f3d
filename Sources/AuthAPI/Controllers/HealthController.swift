import Hummingbird
import Shared

/// `GET /healthz`: 200 while the database answers, else 503.
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
    }
}
