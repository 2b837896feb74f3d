import Hummingbird
import Shared

/// `/api/accounts`: the caller's login sessions — list, revoke one, log out everywhere.
struct SessionsController {
    let sessions: SessionManagement
    let delivery: TokenDelivery

    var routes: RouteCollection<AuthenticatedRequestContext> {
        let routes = RouteCollection(context: AuthenticatedRequestContext.self)
        routes.get("sessions", use: list)
        routes.delete("sessions/{id}", use: revoke)
        routes.post("logout-all", use: logoutAll)
        return routes
    }

    @Sendable func list(_ request: Request, context: AuthenticatedRequestContext) async throws -> SessionListResponse {
        let caller = context.caller
        return SessionListResponse(sessions: try await sessions.list(caller).map { SessionResponse($0, current: $0.id == caller.sessionId) })
    }

    @Sendable func revoke(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let segment = try context.parameters.require("id")
        let id = segment.removingPercentEncoding ?? segment
        try await sessions.revoke(context.caller, id: id, client: request.client(context.base))
        var response = Response.noContent
        // The browser's cookies go only if they belong to the session that ended.
        await delivery.clearCookies(on: &response, carried: context.base.cookies) { $0.sid == id }
        return response
    }

    @Sendable func logoutAll(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try await sessions.logoutAll(context.caller, client: request.client(context.base))
        var response = Response.resetContent
        // Every session of the caller ended: the browser's cookies go if they are the caller's.
        let userId = context.caller.userId
        await delivery.clearCookies(on: &response, carried: context.base.cookies) { $0.userId == userId }
        return response
    }
}
