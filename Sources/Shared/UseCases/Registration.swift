import Foundation

/// A user with a fresh token pair: what signup, login and verify-email answer.
public struct AuthResult: Sendable {
    public var user: User
    public var tokens: TokenPair
}

/// Signup and login: the two ways into an account with a password.
public struct Registration: Sendable {
    let context: AccountContext

    public init(context: AccountContext) {
        self.context = context
    }

    /// Creates the account with its first login session and, in the same transaction, the
    /// verification mail. Throttled per IP before the fields are looked at (as DRF throttles
    /// before the serializer runs), then per address.
    public func signup(_ parsed: Result<SignupRequest, AuthError>, client: ClientInfo) async throws -> AuthResult {
        try await context.throttle(.signup, .ip(client.ip))
        var request = try parsed.get()
        let email = request.email ?? ""
        if request.email != nil {
            try await context.throttle(.signup, .email(EmailAddress.key(email)))
            if !EmailAddress.isValid(email) {
                request.problems.add("email", "Enter a valid email address.")
            } else if try await context.store.user(emailKey: EmailAddress.key(email)) != nil {
                request.problems.add("email", AccountContext.emailTakenMessage)
            }
        }
        if let password = request.password {
            let attributes = PasswordValidator.Attributes(email: email, firstName: request.firstName, lastName: request.lastName)
            for problem in context.validator.problems(password, attributes: attributes) {
                request.problems.add("password", problem)
            }
        }
        try request.problems.throwIfAny()
        guard let password = request.password else { throw AuthError.field("password", "This field is required.") }
        let manager = UserManager(store: context.store, hasher: context.hasher, clock: context.clock)
        let user = try await manager.makeUser(email: email, password: password, firstName: request.firstName, lastName: request.lastName)
        let created: (user: User, session: LoginSession)
        do {
            created = try await context.store.createUserQueueingVerification(
                user, session: context.sessionDraft(client: client),
                mail: MailJob.Draft(kind: .verifyEmail, email: user.email, nonce: MailJob.nonce(context.random)),
                now: context.clock.now())
        } catch StorageError.emailTaken {
            throw AuthError.field("email", AccountContext.emailTakenMessage)
        }
        await context.audit.record(.signup, userId: created.user.id, client: client)
        return AuthResult(user: created.user, tokens: try await context.issue(created.session))
    }

    /// Checks the password and opens a login session. Every attempt takes a failure slot first,
    /// per IP before the body is even read, then per address; a successful login gives both
    /// back: only failed logins count, and a parallel burst cannot pass the limit.
    /// A login's answer: signed in, or (MFA on) the token for the second step.
    public enum LoginOutcome: Sendable {
        case signedIn(AuthResult)
        case secondFactorRequired(mfaToken: String)
    }

    public func login(_ parsed: Result<LoginRequest, AuthError>, client: ClientInfo) async throws -> LoginOutcome {
        try await context.throttle(.login, .ip(client.ip))
        let request = try parsed.get()
        let key = EmailAddress.key(request.email)
        try await context.throttle(.login, address: .email(key), client: client)
        guard request.password.utf8.count <= context.validator.maxLength * 4,
              let user = try await context.store.user(emailKey: key)
        else {
            _ = await context.hasher.verify(request.password, against: context.dummyHash)
            await context.audit.record(.loginFailed, userId: nil, client: client, detail: "unknown_address")
            ServiceMetrics.login(.invalidCredentials)
            throw AuthError.invalidCredentials
        }
        let passwordMatches = await context.hasher.verify(request.password, against: user.password)
        guard passwordMatches, user.isActive, let userId = user.id else {
            await context.audit.record(.loginFailed, userId: user.id, client: client, detail: passwordMatches ? "inactive" : "wrong_password")
            ServiceMetrics.login(.invalidCredentials)
            throw AuthError.invalidCredentials
        }
        await context.unthrottle(.login, .ip(client.ip), .email(key))
        guard user.isVerified else {
            ServiceMetrics.login(.emailNotVerified)
            throw AuthError.emailNotVerified
        }
        // No session and no tokens before the second factor.
        if user.mfaEnabled {
            ServiceMetrics.login(.mfaRequired)
            return .secondFactorRequired(mfaToken: try await MultiFactor(context: context).challenge(userId: userId, client: client))
        }
        let upgraded = context.hasher.needsRehash(user.password) ? try await context.hasher.hash(request.password) : nil
        let session = context.newSession(userId: userId, client: client)
        try await context.store.recordLogin(
            userId: userId, session: session, upgrade: upgraded.map { (from: user.password, to: $0) }, now: context.clock.now())
        await context.audit.record(.loginSucceeded, userId: userId, client: client)
        ServiceMetrics.login(.success)
        return .signedIn(AuthResult(user: user, tokens: try await context.issue(session)))
    }
}
