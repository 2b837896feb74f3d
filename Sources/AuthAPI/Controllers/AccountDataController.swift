import Hummingbird
import Shared

/// The caller's own data: `GET /me/export/` (one JSON document, as an attachment) and
/// `DELETE /me/` (the account and its personal data).
struct AccountDataController {
    let accountData: AccountData
    let delivery: TokenDelivery
    let clock: any AuthClock

    var routes: RouteCollection<AuthenticatedRequestContext> {
        let routes = RouteCollection(context: AuthenticatedRequestContext.self)
        routes.get("me/export", use: export)
        routes.delete("me", use: delete)
        return routes
    }

    @Sendable func export(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let export = try await accountData.export(context.caller, client: request.client(context.base))
        var response = try AccountExportResponse(export, exportedAt: clock.now()).response()
        response.headers[.contentDisposition] = #"attachment; filename="account-export.json""#
        return response
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let userId = context.caller.userId
        try await accountData.delete(context.caller, try await request.parsed(PasswordRequest.init(json:)), client: request.client(context.base))
        var response = Response.noContent
        await delivery.clearCookies(on: &response, carried: context.base.cookies) { $0.userId == userId }
        return response
    }
}
