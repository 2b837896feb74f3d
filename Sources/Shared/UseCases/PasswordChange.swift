import Foundation

/// A logged-in user's new password: every session ends, the caller gets a new one.
public struct PasswordChange: Sendable {
    let store: any AuthStore
    let passwords: Passwords
    let throttle: Throttle
    let stepUp: StepUp
    let sessions: SessionOpener
    let tokens: TokenService
    let audit: AuditLog
    let clock: any AuthClock

    /// Checks the old password, sets the new one, ends every session (the caller's too) and
    /// returns the tokens of a new one. Guessing `old_password` with a stolen token is limited
    /// like logins.
    public func change(_ caller: Authenticated, _ parsed: Result<PasswordChangeRequest, AuthError>,
                       client: ClientInfo) async throws -> TokenPair {
        try stepUp.require(caller)
        try await throttle.hit(.login, .ip(client.ip), .user(caller.userId))
        var request = try parsed.get()
        let user = caller.user
        if let old = request.oldPassword, !(await passwords.matches(old, of: user)) {
            request.problems.add("old_password", "Your old password was entered incorrectly. Please enter it again.")
        }
        if let new = request.newPassword {
            for problem in passwords.problems(new, attributes: .init(email: user.email, firstName: user.firstName, lastName: user.lastName)) {
                request.problems.add("new_password", problem)
            }
        }
        try request.problems.throwIfAny()
        guard let new = request.newPassword else { throw AuthError.field("new_password", "This field is required.") }
        await throttle.giveBack(.login, .ip(client.ip), .user(caller.userId))
        // The new session keeps the caller's level: changing the password is no second factor, nor undoes one.
        let session = sessions.open(userId: caller.userId, client: client, level: caller.level)
        let changed = try await store.changePassword(
            userId: caller.userId, from: user.password, to: try await passwords.hash(new),
            callerSession: caller.sessionId, session: session, now: clock.now())
        // A reset, logout-all or another change committed meanwhile: that one wins.
        guard changed else { throw AuthError.tokenNotValid }
        await audit.record(.passwordChanged, userId: caller.userId, client: client, detail: "other sessions revoked")
        return try await tokens.issue(session)
    }
}
