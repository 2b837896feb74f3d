import Logging

/// Every account use case, each wired with only the collaborators it uses: what the API's build
/// function makes and hands to the controllers, each of which takes only the use cases it
/// serves. The collaborators are made once here and shared.
public struct AccountUseCases: Sendable {
    public let registration: Registration
    public let login: Login
    /// The password step shared by `/login/` and the OpenID Provider's login page.
    public let passwordSignIn: PasswordSignIn
    public let verification: EmailVerification
    public let authentication: Authentication
    public let profile: Profile
    public let passwordReset: PasswordReset
    public let passwordChange: PasswordChange
    public let emailChange: EmailChange
    public let sessions: SessionManagement
    public let housekeeping: Housekeeping
    public let multiFactor: MultiFactor
    public let accountData: AccountData
    public let administration: Administration
    /// What the OpenID Provider's sign-in pages share with the account use cases.
    let signInParts: (challenges: MFAChallenges, mfaSecrets: MFASecrets, secondFactors: SecondFactorReader, throttle: Throttle,
                      sessions: SessionOpener, audit: AuditLog, store: any AuthStore, clock: any AuthClock, random: any RandomSource)

    public init(
        store: any AuthStore, hasher: any PasswordHasher, tokens: TokenService, limiter: RateLimiter, codes: CodeHasher,
        mfaSecrets: MFASecrets, mfaIssuer: String = "swift-auth", clock: any AuthClock, random: any RandomSource, logger: Logger,
        retention: RetentionPolicy = .default
    ) async throws {
        let passwords = try await Passwords(hasher: hasher, random: random)
        let throttle = Throttle(limiter: limiter, logger: logger)
        let audit = AuditLog(store: store, clock: clock, logger: logger)
        let opener = SessionOpener(clock: clock, random: random, refreshTTL: tokens.refreshTTL)
        let mailJobs = MailJobs(clock: clock, random: random)
        let verifier = CodeVerifier(codes: codes, audit: audit)
        let codeMail = CodeMail(store: store, throttle: throttle, mailJobs: mailJobs, clock: clock)
        let stepUp = StepUp()
        let removal = AccountRemoval(store: store, mailJobs: mailJobs, audit: audit, clock: clock)
        let challenges = MFAChallenges(store: store, throttle: throttle, secrets: mfaSecrets, audit: audit, clock: clock, random: random)

        authentication = Authentication(store: store, tokens: tokens, sessions: opener, audit: audit, clock: clock)
        registration = Registration(
            store: store, passwords: passwords, throttle: throttle, sessions: opener, tokens: tokens, mailJobs: mailJobs, audit: audit,
            clock: clock)
        passwordSignIn = PasswordSignIn(store: store, passwords: passwords, throttle: throttle, audit: audit)
        login = Login(
            store: store, password: passwordSignIn, sessions: opener, tokens: tokens, challenges: challenges, audit: audit, clock: clock)
        verification = EmailVerification(
            store: store, throttle: throttle, codeMail: codeMail, codes: verifier, authentication: authentication, sessions: opener,
            tokens: tokens, clock: clock)
        profile = Profile(store: store)
        passwordReset = PasswordReset(
            store: store, throttle: throttle, codeMail: codeMail, codes: verifier, passwords: passwords, audit: audit, clock: clock)
        passwordChange = PasswordChange(
            store: store, passwords: passwords, throttle: throttle, stepUp: stepUp, sessions: opener, tokens: tokens, audit: audit,
            clock: clock)
        emailChange = EmailChange(
            store: store, passwords: passwords, throttle: throttle, stepUp: stepUp, codes: verifier, mailJobs: mailJobs, audit: audit,
            clock: clock)
        sessions = SessionManagement(store: store, audit: audit, clock: clock)
        housekeeping = Housekeeping(store: store, throttle: throttle, retention: retention, clock: clock)
        multiFactor = MultiFactor(
            store: store, passwords: passwords, throttle: throttle, stepUp: stepUp, secrets: mfaSecrets, sessions: opener, tokens: tokens,
            mailJobs: mailJobs, audit: audit, clock: clock, random: random, issuer: mfaIssuer)
        accountData = AccountData(store: store, passwords: passwords, throttle: throttle, stepUp: stepUp, removal: removal, audit: audit)
        administration = Administration(store: store, removal: removal, mailJobs: mailJobs, audit: audit, clock: clock)
        signInParts = (challenges, mfaSecrets, SecondFactorReader(secrets: mfaSecrets, clock: clock), throttle, opener, audit, store, clock,
                       random)
    }

    /// The provider's sign-in pages, with the same password step, second factor, throttle and
    /// audit as the account endpoints.
    public func providerSignIn(store: any ProviderStore & InteractionStore, secrets: InteractionSecrets,
                               provider: ProviderConfiguration) -> ProviderSignIn {
        let parts = signInParts
        return ProviderSignIn(
            users: parts.store, store: store, password: passwordSignIn, challenges: parts.challenges, mfaSecrets: parts.mfaSecrets,
            secondFactors: parts.secondFactors, throttle: parts.throttle, sessions: parts.sessions, secrets: secrets, audit: parts.audit,
            clock: parts.clock, random: parts.random, provider: provider)
    }
}
