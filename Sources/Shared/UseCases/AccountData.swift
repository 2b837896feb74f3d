import Foundation

/// The caller's own data: everything stored about them as one document, and deleting the
/// account. Deletion is the same for staff (`Administration.delete`): one path, `remove`.
public struct AccountData: Sendable {
    let context: AccountContext

    public init(context: AccountContext) {
        self.context = context
    }

    /// Everything stored about the caller; the response shows no hash, code, secret or token.
    public func export(_ caller: Authenticated, client: ClientInfo) async throws -> AccountExport {
        guard let export = try await context.store.accountExport(userId: caller.userId) else { throw AuthError.tokenNotValid }
        await context.audit.record(.dataExported, userId: caller.userId, client: client)
        return export
    }

    /// Deletes the caller's account after re-checking the password (and, with MFA on, from a
    /// second-factor-verified session). Guessing the password with a stolen token is limited
    /// like logins.
    public func delete(_ caller: Authenticated, _ parsed: Result<PasswordRequest, AuthError>, client: ClientInfo) async throws {
        try MultiFactor.requireSecondFactor(caller)
        try await context.throttle(.login, .ip(client.ip), .user(caller.userId))
        let password = try parsed.get().password
        guard await context.passwordMatches(password, caller.user.password) else {
            throw AuthError.field("password", "Incorrect password.")
        }
        await context.unthrottle(.login, .ip(client.ip), .user(caller.userId))
        guard try await remove(userId: caller.userId, actorId: nil, client: client) else { throw AuthError.tokenNotValid }
    }

    /// Removes an account and its personal data, queues the notice to its address, and
    /// records who did it; false when there is no such account.
    func remove(userId: Int64, actorId: Int64?, client: ClientInfo) async throws -> Bool {
        let context = self.context
        let outcome = try await context.store.deleteAccount(
            id: userId, throttleKeys: { user in Self.throttleKeys(of: user) },
            notice: { user in context.mail(.accountDeletedNotice, to: user.email, of: userId) }, now: context.clock.now())
        switch outcome {
        case .done:
            await context.audit.record(actorId == nil ? .accountDeleted : .adminUserDeleted, userId: userId, actorId: actorId, client: client)
            return true
        case .notFound, .wrongState: return false
        case .lastStaff: throw AuthError.lastStaff
        }
    }

    /// The stored rate-limit keys that name the account or its address, in every scope.
    static func throttleKeys(of user: User) -> [String] {
        let keys: [ThrottleKey] = [.email(user.emailKey), .resetConfirmation(emailKey: user.emailKey), .user(user.id ?? 0)]
        return ThrottleScope.allCases.flatMap { scope in keys.map { RateLimiter.bounded(scope, $0.stored) } }
    }
}
