import Hummingbird
import Shared

/// The caller's login sessions: list, revoke one, log out everywhere.
struct SessionsController {
    let sessions: SessionManagement
    let authentication: Authentication
    let transport: TokenTransport

    func addRoutes(to router: inout APIRouter) {
        let p = AccountsController.prefix
        router.onAuthenticated(p + "/sessions", .get, list)
        router.onAuthenticated(p + "/sessions/{id}", .delete, revoke)
        router.onAuthenticated(p + "/logout-all", .post, logoutAll)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let caller = context.caller
        return try JSONResponse.make(try await sessions.list(caller).map { SessionResponse($0, current: $0.id == caller.sessionId) })
    }

    @Sendable func revoke(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let id = context.base.routeParameter ?? ""
        try await sessions.revoke(context.caller, id: id, client: request.client(context.base))
        var response = JSONResponse.noContent()
        // The browser's cookies go only if they belong to the session that ended.
        if await transport.cookiesBelong(to: request, authentication) { $0.sid == id } { transport.clearCookies(on: &response) }
        return response
    }

    @Sendable func logoutAll(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try await sessions.logoutAll(context.caller, client: request.client(context.base))
        var response = JSONResponse.resetContent()
        // Every session of the caller ended: the browser's cookies go if they are the caller's.
        let userId = context.caller.userId
        if await transport.cookiesBelong(to: request, authentication) { $0.userId == userId } { transport.clearCookies(on: &response) }
        return response
    }
}
