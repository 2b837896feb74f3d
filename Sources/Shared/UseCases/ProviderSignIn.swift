import Foundation

/// The provider's sign-in pages after `/oauth/authorize`: the password (the same step as
/// `/login/`), the second factor when the account has one, consent when the client needs it,
/// then a code back to the client. Every POST proves its page first: the CSRF token of its
/// interaction in this browser, then the interaction itself (live, this browser's, at this
/// stage).
public struct ProviderSignIn: Sendable {
    let users: any AuthStore
    let store: any ProviderStore & InteractionStore
    let password: PasswordSignIn
    let challenges: MFAChallenges
    let mfaSecrets: MFASecrets
    let secondFactors: SecondFactorReader
    let throttle: Throttle
    let sessions: SessionOpener
    let secrets: InteractionSecrets
    let audit: AuditLog
    let clock: any AuthClock
    let random: any RandomSource
    let provider: ProviderConfiguration

    public init(users: any AuthStore, store: any ProviderStore & InteractionStore, password: PasswordSignIn, challenges: MFAChallenges,
                mfaSecrets: MFASecrets, secondFactors: SecondFactorReader, throttle: Throttle, sessions: SessionOpener,
                secrets: InteractionSecrets, audit: AuditLog, clock: any AuthClock, random: any RandomSource, provider: ProviderConfiguration) {
        self.users = users
        self.store = store
        self.password = password
        self.challenges = challenges
        self.mfaSecrets = mfaSecrets
        self.secondFactors = secondFactors
        self.throttle = throttle
        self.sessions = sessions
        self.secrets = secrets
        self.audit = audit
        self.clock = clock
        self.random = random
        self.provider = provider
    }

    /// Wrong second-factor codes after which the interaction ends.
    public static let secondFactorAttempts = 5

    /// Why a page's POST was refused, for the page (the credentials' refusals are `AuthError`s).
    public enum Refusal: Error, Equatable {
        /// No or a wrong CSRF token, or no `op_browser` cookie: 403, nothing happens.
        case forbidden
        /// Unknown, used, expired, another browser's, or not at this page's stage: 400.
        case unknownInteraction
        /// The fifth wrong second-factor code: the interaction is over.
        case interactionEnded
    }

    /// Where the browser goes next, and the `op_session` value to set when a sign-in session
    /// was just opened.
    public struct Step: Sendable, Equatable {
        public enum Next: Sendable, Equatable {
            case secondFactor(interaction: String)
            case consent(interaction: String)
            case client(ProviderRedirect)
        }

        public var next: Next
        public var sessionCookie: String?
    }

    /// The interaction a page shows, at that page's stage; nil: the 400 page.
    public func interaction(_ id: String?, browser: String?, at stage: Interaction.Stage) async throws -> Interaction? {
        guard let id, let browser, id.utf8.count <= 64 else { return nil }
        let found = try await store.interaction(
            idHash: InteractionSecrets.hash(id), browserHash: InteractionSecrets.hash(browser), now: clock.now())
        return found?.stage == stage ? found : nil
    }

    public func csrfToken(interaction: String, browser: String) -> String {
        secrets.csrfToken(interaction: interaction, browser: browser)
    }

    func proven(_ id: String?, browser: String?, csrf: String?, at stage: Interaction.Stage) async throws -> (String, Interaction) {
        guard let id, let browser, let csrf, secrets.csrfMatches(csrf, interaction: id, browser: browser) else { throw Refusal.forbidden }
        guard let interaction = try await interaction(id, browser: browser, at: stage) else { throw Refusal.unknownInteraction }
        return (id, interaction)
    }

    /// The login form: `invalidCredentials` (401, the form again), `emailNotVerified` (403),
    /// `throttled` (429) as `/login/` answers them; a sign-in on the pages is audited as a login.
    public func login(interaction id: String?, browser: String?, csrf: String?, email: String, password given: String,
                      client: ClientInfo) async throws -> Step {
        let (id, interaction) = try await proven(id, browser: browser, csrf: csrf, at: .login)
        try await password.admit(client)
        let (user, upgrade) = try await password.verify(email: EmailAddress.normalize(email), password: given, client: client)
        guard let userId = user.id else { throw AuthError.invalidCredentials }
        let hash = InteractionSecrets.hash(id)
        if user.mfaEnabled {
            ServiceMetrics.login(.mfaRequired)
            let token = try await challenges.issue(userId: userId, client: client)
            guard try await store.awaitSecondFactor(
                interactionHash: hash, userId: userId, challengeHash: mfaSecrets.hash(challengeToken: token), now: clock.now())
            else { throw Refusal.unknownInteraction }
            return Step(next: .secondFactor(interaction: id), sessionCookie: nil)
        }
        let cookie = secrets.newValue()
        let session = signInSession(userId: userId, client: client, level: .password)
        let stage: Interaction.Stage = try await needsConsent(interaction.request, userId: userId) ? .consent : .login
        guard try await store.recordProviderSignIn(
            session: session, cookieHash: InteractionSecrets.hash(cookie), upgrade: upgrade, interactionHash: hash, stage: stage,
            now: clock.now())
        else { throw Refusal.unknownInteraction }
        await audit.record(.loginSucceeded, userId: userId, client: client, detail: "provider")
        ServiceMetrics.login(.success)
        var signedIn = interaction
        signedIn.userId = userId
        signedIn.sessionId = session.id
        return Step(next: try await next(id, signedIn, stage: stage, client: client), sessionCookie: cookie)
    }

    /// The second-factor form: a TOTP code (once per step) or a recovery code; a wrong one is
    /// `mfaInvalid` (400, the form again), the fifth ends the interaction.
    public func secondFactor(interaction id: String?, browser: String?, csrf: String?, code: String, client: ClientInfo) async throws -> Step {
        let (id, interaction) = try await proven(id, browser: browser, csrf: csrf, at: .mfa)
        guard let userId = interaction.userId else { throw Refusal.unknownInteraction }
        try await throttle.hit(.mfa, .ip(client.ip), .user(userId))
        let hash = InteractionSecrets.hash(id)
        guard let challenge = try await store.interactionChallenge(interactionHash: hash, now: clock.now()) else {
            throw Refusal.unknownInteraction
        }
        // The rule raises the session to aal 2 with the factor's method.
        let planned = signInSession(userId: userId, client: client, level: .password)
        let factor = secondFactors.factor(code.trimmingCharacters(in: .whitespaces))
        let (outcome, opened) = try await users.completeMFALogin(tokenHash: challenge, code: factor, now: clock.now()) { _ in planned }
        guard outcome == .done, let session = opened else {
            await audit.record(.mfaFailed, userId: userId, client: client, detail: "provider")
            ServiceMetrics.login(.mfaInvalid)
            let attempts = try await store.countInteractionFailure(interactionHash: hash, limit: Self.secondFactorAttempts, now: clock.now())
            guard let attempts, attempts < Self.secondFactorAttempts else { throw Refusal.interactionEnded }
            throw AuthError.mfaInvalid
        }
        await throttle.giveBack(.mfa, .ip(client.ip), .user(userId))
        let cookie = secrets.newValue()
        let stage: Interaction.Stage = try await needsConsent(interaction.request, userId: userId) ? .consent : .login
        guard try await store.adoptSignInSession(
            sessionId: session.id, cookieHash: InteractionSecrets.hash(cookie), interactionHash: hash, stage: stage, now: clock.now())
        else { throw Refusal.unknownInteraction }
        await audit.record(.loginSucceeded, userId: userId, client: client, detail: factor.method)
        ServiceMetrics.login(.mfaSuccess)
        var signedIn = interaction
        signedIn.sessionId = session.id
        return Step(next: try await next(id, signedIn, stage: stage, client: client), sessionCookie: cookie)
    }

    /// The consent form: allow adds the requested scopes to the user's grant and the client
    /// gets its code; deny sends `access_denied`.
    public func consent(interaction id: String?, browser: String?, csrf: String?, allow: Bool, client: ClientInfo) async throws -> Step {
        let (id, interaction) = try await proven(id, browser: browser, csrf: csrf, at: .consent)
        let request = interaction.request
        guard allow else {
            try await store.endInteraction(interactionHash: InteractionSecrets.hash(id))
            return Step(next: .client(ProviderRedirect(
                to: request.redirectURI, error: .accessDenied, description: "The user denied the request.", state: request.state)))
        }
        await audit.record(.oauthConsentGranted, userId: interaction.userId, client: client,
                           detail: "\(request.client.clientId) \(request.scopes.joined(separator: " "))")
        return Step(next: .client(try await code(id, interaction, client: client)))
    }

    /// A sign-in session: a login session living `AUTH_OIDC_SESSION_TTL`.
    func signInSession(userId: Int64, client: ClientInfo, level: SessionLevel) -> LoginSession {
        var draft = sessions.draft(client: client)
        draft.expiresAt = draft.createdAt.addingTimeInterval(provider.sessionTTL)
        return draft.session(for: userId, level: level)
    }

    /// Consent when the client is not first-party and the user's grant lacks a requested
    /// scope, or the request asks for it (`prompt=consent`).
    func needsConsent(_ request: AuthorizationRequest, userId: Int64) async throws -> Bool {
        guard !request.client.firstParty else { return false }
        if request.prompt.contains(.consent) { return true }
        let granted = try await store.grant(userId: userId, clientId: request.client.clientId) ?? []
        return !Set(request.scopes).isSubset(of: granted)
    }

    func next(_ id: String, _ interaction: Interaction, stage: Interaction.Stage, client: ClientInfo) async throws -> Step.Next {
        stage == .consent ? .consent(interaction: id) : .client(try await code(id, interaction, client: client))
    }

    /// A code for the client: stored by its hash with everything the token endpoint checks,
    /// the grant updated and the interaction ended, in one transaction.
    func code(_ id: String, _ interaction: Interaction, client: ClientInfo) async throws -> ProviderRedirect {
        let request = interaction.request
        guard let userId = interaction.userId, let sessionId = interaction.sessionId else { throw Refusal.unknownInteraction }
        let code = secrets.newValue()
        let now = clock.now()
        let stored = AuthorizationCode(
            codeHash: InteractionSecrets.hash(code), clientId: request.client.clientId, userId: userId, sessionId: sessionId,
            redirectURI: request.redirectURI, scopes: request.scopes, nonce: request.nonce, codeChallenge: request.codeChallenge,
            createdAt: now, expiresAt: now.addingTimeInterval(provider.codeTTL))
        guard try await store.issueCode(stored, interactionHash: InteractionSecrets.hash(id), now: now) else {
            throw Refusal.unknownInteraction
        }
        await audit.record(.oauthAuthorized, userId: userId, client: client,
                           detail: "\(request.client.clientId) \(request.scopes.joined(separator: " "))")
        return ProviderRedirect(to: request.redirectURI, code: code, state: request.state)
    }
}
