import Hummingbird
import Shared

/// The context of a request whose caller has been authenticated: a protected handler takes
/// this, so it cannot be written — or run — without a caller (Hummingbird's child-context
/// pattern, as in the `auth-otp` example). Made by the protected groups of `buildRouter`, after
/// `AccessTokenAuthenticator`; a request it found no credentials on is 401 `not_authenticated`.
struct AuthenticatedRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The user and the login session the request's access token (header or cookie) belongs to.
    let caller: Authenticated
    /// The rest of the request's context: client address, proxy trust, cookies.
    let base: APIRequestContext

    init(context: APIRequestContext) throws {
        guard let caller = context.identity else { throw APIError.notAuthenticated }
        coreContext = context.coreContext
        self.caller = caller
        base = context
    }

    var maxUploadSize: Int { APIRequestContext.maxBodySize }
}
