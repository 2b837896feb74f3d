import Hummingbird
import HummingbirdAuth
import Shared

/// Who is calling a protected route: the access token of the request — the `Authorization`
/// header, else (cookie mode) the access cookie, which the CSRF checks must allow — checked
/// against its login session on every request, so a revocation through any replica holds on
/// the next one. No credentials leave the caller unset (the protected group answers 401
/// `not_authenticated`); bad ones are refused here (`token_not_valid`, `user_inactive`, `csrf_failed`).
struct AccessTokenAuthenticator: AuthenticatorMiddleware {
    typealias Context = APIRequestContext
    let authentication: Authentication

    func authenticate(request: Request, context: APIRequestContext) async throws -> Authenticated? {
        let token: String?
        if request.headers[values: .authorization].isEmpty {
            token = try context.cookies.accessToken()
        } else {
            token = try request.bearerToken()
        }
        guard let token else { return nil }
        return try await authentication.authenticate(accessToken: token)
    }
}
