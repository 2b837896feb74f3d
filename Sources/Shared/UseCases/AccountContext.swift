import Foundation
import Logging

/// What every account use case shares: storage, hashing, tokens, throttling, codes, time,
/// randomness and the audit trail, built once by each process's build function and passed down.
public struct AccountContext: Sendable {
    let store: any AuthStore
    let hasher: any PasswordHasher
    public let tokens: TokenService
    let limiter: RateLimiter
    let codes: CodeHasher
    /// Sealing of TOTP secrets, hashing of recovery codes and `mfa_token`s.
    let mfaSecrets: MFASecrets
    /// The issuer authenticator apps show (`AUTH_JWT_ISSUER`, or the product's name).
    let mfaIssuer: String
    let clock: any AuthClock
    let random: any RandomSource
    let logger: Logger
    let validator = PasswordValidator()
    /// Verified for unknown addresses so that "no such account" costs the same as a wrong password.
    let dummyHash: String
    let audit: AuditLog
    /// How long ended rows and audit events are kept.
    let retention: RetentionPolicy

    /// The seconds between two code mails to one address.
    public static let sendCooldown: TimeInterval = 60
    static let emailTakenMessage = "user with this email address already exists."

    public init(
        store: any AuthStore, hasher: any PasswordHasher, tokens: TokenService, limiter: RateLimiter,
        codes: CodeHasher, mfaSecrets: MFASecrets, mfaIssuer: String = "swift-auth", clock: any AuthClock,
        random: any RandomSource, logger: Logger, retention: RetentionPolicy = .default
    ) async throws {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.limiter = limiter
        self.codes = codes
        self.mfaSecrets = mfaSecrets
        self.mfaIssuer = mfaIssuer
        self.clock = clock
        self.random = random
        self.logger = logger
        self.dummyHash = try await hasher.hash(random.hexID())
        self.audit = AuditLog(store: store, clock: clock, logger: logger)
        self.retention = retention
    }

    // MARK: Throttling

    /// Records one request for every key, or refuses (`throttled`) when any key is over the rate.
    func throttle(_ scope: ThrottleScope, _ keys: ThrottleKey...) async throws {
        if let wait = try await limiter.acquire(scope, keys: keys) {
            ServiceMetrics.throttled(scope)
            throw AuthError.throttled(retryAfter: wait)
        }
    }

    /// Gives back recorded hits; a failure only logs: the hit then counts, which errs on the safe side.
    func unthrottle(_ scope: ThrottleScope, _ keys: ThrottleKey...) async {
        do {
            try await limiter.release(scope, keys: keys)
        } catch {
            logger.warning("giving back a throttle slot failed", metadata: ["error": "\(error)"])
        }
    }

    /// The second step of a per-IP-then-per-address limit: when the address refuses, the IP's
    /// slot taken in the first step is given back, so one refusal costs one slot.
    func throttle(_ scope: ThrottleScope, address key: ThrottleKey, client: ClientInfo) async throws {
        do {
            try await throttle(scope, key)
        } catch {
            await unthrottle(scope, .ip(client.ip))
            throw error
        }
    }

    // MARK: Sessions and tokens

    /// A login session to open now, expiring with the refresh lifetime, for a user whose id the
    /// store assigns in the same transaction (signup).
    func sessionDraft(client: ClientInfo) -> LoginSession.Draft {
        let now = clock.now()
        return LoginSession.Draft(
            id: random.token(byteCount: 16), refreshJti: random.hexID(), createdAt: now,
            expiresAt: now.addingTimeInterval(tokens.refreshTTL), userAgent: client.userAgent, ip: client.ip)
    }

    /// A new login session of `userId`, started now, expiring with the refresh lifetime.
    func newSession(userId: Int64, client: ClientInfo) -> LoginSession {
        sessionDraft(client: client).session(for: userId)
    }

    /// The token pair of a session (its refresh token carries the session's current jti).
    func issue(_ session: LoginSession) async throws -> TokenPair {
        try await tokens.issue(userId: session.userId, sessionId: session.id, refreshJti: session.refreshJti, level: session.level)
    }

    /// Claims of a token this service signed, or `tokenNotValid`.
    func verifiedClaims(_ token: String, expecting type: TokenClaims.TokenType?) async throws -> TokenClaims {
        do {
            return try await tokens.verify(token, expecting: type)
        } catch {
            throw AuthError.tokenNotValid
        }
    }

    /// Whether a password matches a stored hash; oversized passwords are refused unhashed.
    func passwordMatches(_ password: String, _ hash: String) async -> Bool {
        password.utf8.count <= validator.maxLength * 4 ? await hasher.verify(password, against: hash) : false
    }

    // MARK: Codes

    /// Queues a code mail of `kind` to the account of an address when `eligible`, at most one
    /// per address per cooldown; throttled per IP, then per address. Answers nothing about the
    /// address: the caller's response is the same whether or not a mail was queued.
    func mailCode(_ kind: MailJob.Kind, throttledAs scope: ThrottleScope, _ parsed: Result<EmailRequest, AuthError>,
                  client: ClientInfo, eligible: (User) -> Bool) async throws {
        try await throttle(scope, .ip(client.ip))
        let key = EmailAddress.key(try parsed.get().email)
        try await throttle(scope, address: .email(key), client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, eligible(user) else { return }
        _ = try await store.queueMail(
            mail(kind, to: user.email, of: id), cooldownSubject: key, cooldown: Self.sendCooldown, now: clock.now())
    }

    /// A mail job of `kind` to `email` for account `userId`, queued now.
    func mail(_ kind: MailJob.Kind, to email: String, of userId: Int64) -> MailJob {
        MailJob(kind: kind, payload: .init(userId: userId, email: email), now: clock.now(), nonce: MailJob.nonce(random))
    }

    /// Maps a redemption to its user or the code error, auditing verified and burnt codes.
    @discardableResult
    func settle(_ outcome: CodeRedemption, purpose: CodePurpose, userId: Int64, client: ClientInfo,
                auditSuccess: Bool = true) async throws -> User {
        switch outcome {
        case .redeemed: ServiceMetrics.code(purpose, outcome: "redeemed")
        case .invalid, .emailTaken: ServiceMetrics.code(purpose, outcome: "invalid")
        case .expired: ServiceMetrics.code(purpose, outcome: "expired")
        case .locked: ServiceMetrics.code(purpose, outcome: "locked")
        }
        switch outcome {
        case .redeemed(let user):
            if auditSuccess { await audit.record(.codeVerified, userId: userId, client: client, detail: purpose.rawValue) }
            return user
        case .invalid, .emailTaken: throw AuthError.codeInvalid
        case .expired: throw AuthError.codeExpired
        case .locked:
            await audit.record(.codeLocked, userId: userId, client: client, detail: purpose.rawValue)
            throw AuthError.codeLocked
        }
    }

    /// The check of a code against its stored hash, for `redeemCode`.
    func matcher(_ code: String, purpose: CodePurpose, emailKey: String?) -> @Sendable (OneTimeCode) -> Bool {
        let codes = self.codes
        return { stored in codes.matches(code: code, purpose: purpose, emailKey: emailKey ?? stored.emailKey, stored: stored.codeHash) }
    }
}
