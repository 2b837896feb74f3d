import Hummingbird
import Shared

/// `/api/accounts/me/`: who the caller is, and their names.
struct ProfileController {
    let profile: Profile

    var routes: RouteCollection<AuthenticatedRequestContext> {
        let routes = RouteCollection(context: AuthenticatedRequestContext.self)
        routes.get("me", use: me)
        routes.patch("me", use: update)
        return routes
    }

    @Sendable func me(_ request: Request, context: AuthenticatedRequestContext) async throws -> UserResponse {
        UserResponse(context.caller.user)
    }

    @Sendable func update(_ request: Request, context: AuthenticatedRequestContext) async throws -> UserResponse {
        let update = try ProfileUpdate(json: try await request.jsonObject())
        return UserResponse(try await profile.update(context.caller, update))
    }
}
