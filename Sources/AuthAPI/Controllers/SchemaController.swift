import Foundation
import Hummingbird
import NIOCore
import Shared

/// `GET /api/schema/`: the OpenAPI 3.1 document of this API (the file `openapi.json`, shipped
/// as a resource of `Shared` and loaded once).
struct SchemaController {
    func addRoutes(to router: inout APIRouter) {
        let document = ByteBuffer(bytes: OpenAPIDocument.data)
        router.on("/api/schema", .get) { _, _ in
            Response(status: .ok, headers: [.contentType: JSONResponse.contentType], body: .init(byteBuffer: document))
        }
    }
}
