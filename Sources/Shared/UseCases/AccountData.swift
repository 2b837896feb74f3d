import Foundation

/// The caller's own data: everything stored about them as one document, and deleting the account.
public struct AccountData: Sendable {
    let store: any AuthStore
    let passwords: Passwords
    let throttle: Throttle
    let stepUp: StepUp
    let removal: AccountRemoval
    let audit: AuditLog

    /// Everything stored about the caller; the response shows no hash, code, secret or token.
    public func export(_ caller: Authenticated, client: ClientInfo) async throws -> AccountExport {
        guard let export = try await store.accountExport(userId: caller.userId) else { throw AuthError.tokenNotValid }
        await audit.record(.dataExported, userId: caller.userId, client: client)
        return export
    }

    /// Deletes the caller's account after re-checking the password (and, with MFA on, from a
    /// second-factor-verified session). Guessing the password with a stolen token is limited
    /// like logins.
    public func delete(_ caller: Authenticated, _ parsed: Result<PasswordRequest, AuthError>, client: ClientInfo) async throws {
        try stepUp.require(caller)
        try await throttle.hit(.login, .ip(client.ip), .user(caller.userId))
        let password = try parsed.get().password
        guard await passwords.matches(password, of: caller.user) else {
            throw AuthError.field("password", "Incorrect password.")
        }
        await throttle.giveBack(.login, .ip(client.ip), .user(caller.userId))
        guard try await removal.remove(userId: caller.userId, actorId: nil, client: client) else { throw AuthError.tokenNotValid }
    }
}
