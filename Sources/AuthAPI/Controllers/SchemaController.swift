import Foundation
import Hummingbird
import NIOCore
import Shared

/// `GET /api/schema/`: the OpenAPI 3.1 document of this API (the file `openapi.json`, shipped
/// as a resource of `Shared` and loaded once).
struct SchemaController {
    let document = ByteBuffer(bytes: OpenAPIDocument.data)

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("schema", use: schema)
        return routes
    }

    @Sendable func schema(_ request: Request, context: APIRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: Response.jsonContentType], body: .init(byteBuffer: document))
    }
}
