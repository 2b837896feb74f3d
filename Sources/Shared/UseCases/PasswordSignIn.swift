import Foundation

/// The password step of every sign-in (`/login/` and the provider's login page), in one place:
/// each attempt takes a failure slot first, per IP before the body is even read, then per
/// address; a right password gives both back, so only failed logins count and a parallel
/// burst cannot pass the limit. Unknown address, wrong password and inactive account answer
/// alike (`invalidCredentials`), after the same work, and are audited as `login_failed`.
public struct PasswordSignIn: Sendable {
    let store: any AuthStore
    let passwords: Passwords
    let throttle: Throttle
    let audit: AuditLog

    /// The IP's slot, taken before anything else is read.
    public func admit(_ client: ClientInfo) async throws {
        try await throttle.hit(.login, .ip(client.ip))
    }

    /// The active, verified user whose password this is, and the upgraded hash to store with
    /// the login (an imported Django hash), if any. Call `admit` first.
    public func verify(email: String, password: String, client: ClientInfo) async throws -> (user: User, upgrade: (from: String, to: String)?) {
        let key = EmailAddress.key(email)
        try await throttle.hit(.login, address: .email(key), client: client)
        let user = try await store.user(emailKey: key)
        let passwordMatches = await passwords.matches(password, of: user)
        guard let user, passwordMatches, user.isActive else {
            let reason = user == nil ? "unknown_address" : passwordMatches ? "inactive" : "wrong_password"
            await audit.record(.loginFailed, userId: user?.id, client: client, detail: reason)
            ServiceMetrics.login(.invalidCredentials)
            throw AuthError.invalidCredentials
        }
        await throttle.giveBack(.login, .ip(client.ip), .email(key))
        guard user.isVerified else {
            ServiceMetrics.login(.emailNotVerified)
            throw AuthError.emailNotVerified
        }
        return (user, try await passwords.upgrade(password, of: user))
    }
}
