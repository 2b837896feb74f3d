import Foundation

/// A user with a fresh token pair: what signup, login and verify-email answer.
public struct AuthResult: Sendable {
    public var user: User
    public var tokens: TokenPair
}

/// Signing up: the account with its first login session and, in the same transaction, the
/// verification mail.
public struct Registration: Sendable {
    let store: any AuthStore
    let passwords: Passwords
    let throttle: Throttle
    let sessions: SessionOpener
    let tokens: TokenService
    let mailJobs: MailJobs
    let audit: AuditLog
    let clock: any AuthClock

    static let emailTakenMessage = "user with this email address already exists."

    /// Throttled per IP before the fields are looked at (as DRF throttles before the serializer
    /// runs), then per address; every field problem at once; a taken address is refused by the
    /// database inside the transaction, so parallel signups of one address make one account.
    public func signup(_ parsed: Result<SignupRequest, AuthError>, client: ClientInfo) async throws -> AuthResult {
        try await throttle.hit(.signup, .ip(client.ip))
        var request = try parsed.get()
        let email = request.email ?? ""
        if request.email != nil {
            try await throttle.hit(.signup, .email(EmailAddress.key(email)))
            if !EmailAddress.isValid(email) {
                request.problems.add("email", "Enter a valid email address.")
            } else if try await store.user(emailKey: EmailAddress.key(email)) != nil {
                request.problems.add("email", Self.emailTakenMessage)
            }
        }
        if let password = request.password {
            let attributes = PasswordValidator.Attributes(email: email, firstName: request.firstName, lastName: request.lastName)
            for problem in passwords.problems(password, attributes: attributes) {
                request.problems.add("password", problem)
            }
        }
        try request.problems.throwIfAny()
        guard let password = request.password else { throw AuthError.field("password", "This field is required.") }
        let manager = UserManager(store: store, hasher: passwords.hasher, clock: clock)
        let user = try await manager.makeUser(email: email, password: password, firstName: request.firstName, lastName: request.lastName)
        let insertion = try await store.createUserQueueingVerification(
            user, session: sessions.draft(client: client), mail: mailJobs.draft(.verifyEmail, to: user.email), now: clock.now())
        guard case .inserted(let created) = insertion else { throw AuthError.field("email", Self.emailTakenMessage) }
        await audit.record(.signup, userId: created.user.id, client: client)
        return AuthResult(user: created.user, tokens: try await tokens.issue(created.session))
    }
}
