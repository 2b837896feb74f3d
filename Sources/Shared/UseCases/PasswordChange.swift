import Foundation

/// A logged-in user's new password: every session ends, the caller gets a new one.
public struct PasswordChange: Sendable {
    let context: AccountContext

    public init(context: AccountContext) {
        self.context = context
    }

    /// Checks the old password, sets the new one, ends every session (the caller's too) and
    /// returns the tokens of a new one. Guessing `old_password` with a stolen token is limited
    /// like logins.
    public func change(_ caller: Authenticated, _ parsed: Result<PasswordChangeRequest, AuthError>,
                       client: ClientInfo) async throws -> TokenPair {
        try MultiFactor.requireSecondFactor(caller)
        try await context.throttle(.login, .ip(client.ip), .user(caller.userId))
        var request = try parsed.get()
        let user = caller.user
        if let old = request.oldPassword, !(await context.passwordMatches(old, user.password)) {
            request.problems.add("old_password", "Your old password was entered incorrectly. Please enter it again.")
        }
        if let new = request.newPassword {
            for problem in context.validator.problems(new, attributes: .init(email: user.email, firstName: user.firstName, lastName: user.lastName)) {
                request.problems.add("new_password", problem)
            }
        }
        try request.problems.throwIfAny()
        guard let new = request.newPassword else { throw AuthError.field("new_password", "This field is required.") }
        await context.unthrottle(.login, .ip(client.ip), .user(caller.userId))
        // The new session keeps the caller's level: changing the password is no second factor, nor undoes one.
        var session = context.newSession(userId: caller.userId, client: client)
        session.level = caller.level
        let changed = try await context.store.changePassword(
            userId: caller.userId, from: user.password, to: try await context.hasher.hash(new),
            callerSession: caller.sessionId, session: session, now: context.clock.now())
        // A reset, logout-all or another change committed meanwhile: that one wins.
        guard changed else { throw AuthError.tokenNotValid }
        await context.audit.record(.passwordChanged, userId: caller.userId, client: client, detail: "other sessions revoked")
        return try await context.issue(session)
    }
}
