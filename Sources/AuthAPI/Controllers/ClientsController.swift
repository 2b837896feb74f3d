import Foundation
import Hummingbird
import Shared

/// `/api/admin/clients`: the OpenID Provider's clients, for active staff users only (the routes
/// take a `StaffRequestContext`). `{id}` is the client_id.
struct ClientsController {
    let clients: ClientManagement

    var routes: RouteCollection<StaffRequestContext> {
        let routes = RouteCollection(context: StaffRequestContext.self)
        routes.get("clients", use: list)
        routes.post("clients", use: create)
        routes.get("clients/{id}", use: show)
        routes.patch("clients/{id}", use: update)
        routes.delete("clients/{id}", use: delete)
        routes.post("clients/{id}/rotate-secret", use: rotateSecret)
        return routes
    }

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let page = try await clients.clients(page: try AdminController.page(request.queryItems()))
        return try PageResponse(page, request: request, context: context.base) { ClientResponse($0) }.response()
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let registration = try await request.parsed(ClientRegistration.init(json:)).get()
        let (client, secret) = try await clients.create(registration, by: context.staff, client: request.client(context.base))
        return try ClientResponse(client, secret: secret).response(status: .created)
    }

    @Sendable func show(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try ClientResponse(try await clients.client(id: try Self.clientId(context))).response()
    }

    @Sendable func update(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try Self.clientId(context)
        let change = try await request.parsed(ClientChange.init(json:)).get()
        return try ClientResponse(try await clients.update(id: id, change)).response()
    }

    @Sendable func delete(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await clients.delete(id: try Self.clientId(context), by: context.staff, client: request.client(context.base))
        return Response.noContent
    }

    @Sendable func rotateSecret(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (client, secret) = try await clients.rotateSecret(
            id: try Self.clientId(context), by: context.staff, client: request.client(context.base))
        return try ClientResponse(client, secret: secret).response()
    }

    /// A client_id is at most 64 characters of base64url; anything else names no client (404).
    static func clientId(_ context: StaffRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), (1...64).contains(id.utf8.count),
              id.utf8.allSatisfy({ Base64URL.isAlphabet($0) })
        else { throw APIError.notFound }
        return id
    }
}
