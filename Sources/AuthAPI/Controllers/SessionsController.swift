import Hummingbird
import Shared

/// The caller's login sessions: list, revoke one, log out everywhere.
struct SessionsController {
    let accounts: AccountService
    let transport: TokenTransport

    func addRoutes(to router: inout APIRouter) {
        let p = AccountsController.prefix
        router.on(p + "/sessions", .get, list)
        router.on(p + "/sessions/{id}", .delete, revoke)
        router.on(p + "/logout-all", .post, logoutAll)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let caller = try await accounts.authenticate(accessToken: try transport.accessToken(request))
        let sessions = try await accounts.sessions(caller)
        return try JSONResponse.make(sessions.map { SessionResponse($0, current: $0.id == caller.sessionId) })
    }

    @Sendable func revoke(_ request: Request, context: APIRequestContext) async throws -> Response {
        let caller = try await accounts.authenticate(accessToken: try transport.accessToken(request))
        let segment = APIRouter.normalize(request.uri.path).split(separator: "/").last.map(String.init) ?? ""
        let id = segment.removingPercentEncoding ?? segment
        try await accounts.revokeSession(caller, id: id, client: request.client(context))
        var response = JSONResponse.noContent()
        if id == caller.sessionId { transport.clearCookies(on: &response) }
        return response
    }

    @Sendable func logoutAll(_ request: Request, context: APIRequestContext) async throws -> Response {
        let caller = try await accounts.authenticate(accessToken: try transport.accessToken(request))
        try await accounts.logoutAll(caller, client: request.client(context))
        var response = JSONResponse.resetContent()
        transport.clearCookies(on: &response)
        return response
    }
}
