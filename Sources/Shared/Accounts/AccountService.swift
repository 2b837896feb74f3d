import Foundation
import Logging

/// A user with a fresh token pair: what signup, login and verify-email answer.
public struct AuthResult: Sendable {
    public var user: User
    public var tokens: TokenPair
}

/// The caller of an authenticated request: the user and the login session its token belongs to.
public struct Authenticated: Sendable {
    public var user: User
    public var sessionId: String

    public var userId: Int64 { user.id ?? 0 }
}

/// The account use cases of the contract, independent of HTTP: validation, throttling,
/// hashing off the event loop, one transaction per change, tokens tied to login sessions.
public struct AccountService: Sendable {
    let store: any AuthStore
    let hasher: any PasswordHasher
    public let tokens: TokenService
    let limiter: RateLimiter
    let codes: CodeHasher
    let clock: any AuthClock
    let random: any RandomSource
    let logger: Logger
    let validator = PasswordValidator()
    /// Verified for unknown addresses so that "no such account" costs the same as a wrong password.
    let dummyHash: String
    let audit: AuditLog
    /// How long audit events are kept.
    let auditRetention: TimeInterval

    /// The seconds between two code mails to one address.
    public static let sendCooldown: TimeInterval = 60

    public init(
        store: any AuthStore, hasher: any PasswordHasher, tokens: TokenService, limiter: RateLimiter,
        codes: CodeHasher, clock: any AuthClock, random: any RandomSource, logger: Logger,
        auditRetention: TimeInterval = 90 * 86_400
    ) async throws {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.limiter = limiter
        self.codes = codes
        self.clock = clock
        self.random = random
        self.logger = logger
        self.dummyHash = try await hasher.hash(random.hexID())
        self.audit = AuditLog(store: store, clock: clock, logger: logger)
        self.auditRetention = auditRetention
    }

    var manager: UserManager { UserManager(store: store, hasher: hasher, clock: clock) }

    // MARK: Signup and login

    public func signup(_ object: [String: JSONValue], client: ClientInfo) async throws -> AuthResult {
        try await throttle(.signup, keys: ["ip:" + client.ip])
        var (rawEmail, password, firstName, lastName, reader) = SignupRequest.read(object)
        let email = rawEmail.map(EmailAddress.normalize) ?? ""
        if rawEmail != nil {
            try await throttle(.signup, keys: ["email:" + EmailAddress.key(email)])
            if !EmailAddress.isValid(email) {
                reader.add("email", "Enter a valid email address.")
            } else if try await store.user(emailKey: EmailAddress.key(email)) != nil {
                reader.add("email", Self.emailTakenMessage)
            }
        }
        if let password {
            let attributes = PasswordValidator.Attributes(email: email, firstName: firstName, lastName: lastName)
            for problem in validator.problems(password, attributes: attributes) {
                reader.add("password", problem)
            }
        }
        try reader.finish()
        guard let password else { throw APIError.serverError }
        var user = try await manager.makeUser(email: email, password: password, firstName: firstName, lastName: lastName)
        let session = newSession(userId: 0, client: client)
        do {
            user = try await store.createUser(user, session: session, verificationMail: true, now: clock.now())
        } catch StorageError.emailTaken {
            throw APIError.field("email", Self.emailTakenMessage)
        }
        await audit.record(.signup, userId: user.id, client: client)
        return AuthResult(user: user, tokens: try await issue(user: user, session: session))
    }

    static let emailTakenMessage = "user with this email address already exists."

    public func login(_ object: [String: JSONValue], client: ClientInfo) async throws -> AuthResult {
        // Every attempt takes a failure slot first, per IP before the body is even read (as DRF
        // throttles before parsing), then per address; a successful login gives both back:
        // only failed logins count, and a parallel burst cannot pass the limit.
        try await throttle(.login, keys: ["ip:" + client.ip])
        let request = try LoginRequest(object)
        let email = EmailAddress.normalize(request.email)
        let key = EmailAddress.key(email)
        let keys = ["ip:" + client.ip, "email:" + key]
        try await throttleAddress(.login, key: "email:" + key, client: client)
        guard request.password.utf8.count <= validator.maxLength * 4,
              let user = try await store.user(emailKey: key)
        else {
            _ = await hasher.verify(request.password, against: dummyHash)
            await audit.record(.loginFailed, userId: nil, client: client, detail: "unknown_address")
            throw APIError.invalidCredentials
        }
        let passwordMatches = await hasher.verify(request.password, against: user.password)
        guard passwordMatches, user.isActive, let userId = user.id else {
            await audit.record(.loginFailed, userId: user.id, client: client, detail: passwordMatches ? "inactive" : "wrong_password")
            throw APIError.invalidCredentials
        }
        await unthrottle(.login, keys: keys)
        guard user.isVerified else { throw APIError.emailNotVerified }
        let upgraded = hasher.needsRehash(user.password) ? try await hasher.hash(request.password) : nil
        let session = newSession(userId: userId, client: client)
        try await store.recordLogin(
            userId: userId, session: session, upgrade: upgraded.map { (from: user.password, to: $0) }, now: clock.now())
        await audit.record(.loginSucceeded, userId: userId, client: client)
        return AuthResult(user: user, tokens: try await issue(user: user, session: session))
    }

    // MARK: Codes

    /// Queues a verification code for an unverified active account; answers nothing about the address.
    public func sendOTP(_ object: [String: JSONValue], client: ClientInfo) async throws {
        try await throttle(.sendOTP, keys: ["ip:" + client.ip])
        let request = try EmailRequest(object)
        let key = EmailAddress.key(request.email)
        try await throttleAddress(.sendOTP, key: "email:" + key, client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, user.isActive, !user.isVerified else { return }
        _ = try await store.queueMail(
            kind: .verifyEmail, payload: .init(userId: id, email: user.email),
            cooldownSubject: key, cooldown: Self.sendCooldown, now: clock.now())
    }

    /// Verifies the address with its code and answers with tokens. `continuing` are tokens the
    /// request carries (bearer, cookies): when one names a live session of this user — the one
    /// signup opened — that session is rotated and continued; otherwise a new one starts.
    public func verifyEmail(_ object: [String: JSONValue], client: ClientInfo, continuing: [String] = []) async throws -> AuthResult {
        try await throttle(.verifyEmail, keys: ["ip:" + client.ip])
        let request = try VerifyEmailRequest(object)
        let key = EmailAddress.key(request.email)
        try await throttleAddress(.verifyEmail, key: "email:" + key, client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, user.isActive else {
            throw APIError.otpInvalid
        }
        let codes = self.codes
        let otp = request.otp
        let matches: @Sendable (OneTimeCode) -> Bool = {
            codes.matches(code: otp, purpose: .verifyEmail, emailKey: key, stored: $0.codeHash)
        }
        if let sessionId = await liveSession(of: id, among: continuing) {
            let newJti = random.hexID()
            do {
                let outcome = try await store.redeemCode(
                    purpose: .verifyEmail, userId: id, emailKey: key, now: clock.now(), matches: matches,
                    effect: .verifyEmailContinuing(sessionId: sessionId, newJti: newJti, newExpiry: clock.now().addingTimeInterval(tokens.refreshTTL)))
                let verified = try await settle(outcome, purpose: .verifyEmail, userId: id, client: client)
                return AuthResult(user: verified, tokens: try await tokens.issue(userId: id, sessionId: sessionId, refreshJti: newJti))
            } catch StorageError.sessionEnded {
                // Ended between the check and the redemption (which rolled back): start a new one.
            }
        }
        let session = newSession(userId: id, client: client)
        let outcome = try await store.redeemCode(
            purpose: .verifyEmail, userId: id, emailKey: key, now: clock.now(), matches: matches,
            effect: .verifyEmail(session: session))
        let verified = try await settle(outcome, purpose: .verifyEmail, userId: id, client: client)
        return AuthResult(user: verified, tokens: try await issue(user: verified, session: session))
    }

    /// The first of `candidates` that is a valid token of a live session of `userId`: an access
    /// token of an active session, or the current refresh token of one.
    func liveSession(of userId: Int64, among candidates: [String]) async -> String? {
        let now = clock.now()
        for token in candidates {
            guard let claims = try? await tokens.verify(token), claims.userId == userId else { continue }
            let live: Bool?
            switch claims.tokenType {
            case .access: live = try? await store.authenticatedUser(sessionId: claims.sid, userId: userId, now: now) != nil
            case .refresh: live = try? await store.isRefreshCurrent(sessionId: claims.sid, userId: userId, jti: claims.jti, now: now)
            }
            if live == true { return claims.sid }
        }
        return nil
    }

    /// The login session a token names, if its signature and claims are valid (its session's
    /// state is not looked at): for telling which session a browser's cookies belong to.
    public func sessionID(of token: String) async -> String? {
        try? await tokens.verify(token).sid
    }

    // MARK: Tokens

    /// The user behind an access token, with its login session, if that session is still active.
    public func authenticate(accessToken: String) async throws -> Authenticated {
        let claims: TokenClaims
        do {
            claims = try await tokens.verify(accessToken, expecting: .access)
        } catch {
            throw APIError.tokenNotValid
        }
        guard let user = try await store.authenticatedUser(sessionId: claims.sid, userId: claims.userId, now: clock.now()) else {
            throw APIError.tokenNotValid
        }
        guard user.isActive else { throw APIError.userInactive }
        return Authenticated(user: user, sessionId: claims.sid)
    }

    /// Rotates a refresh token: a new pair for the same session; a replayed one ends the session.
    public func refresh(_ token: String, client: ClientInfo) async throws -> TokenPair {
        let claims = try await verifiedClaims(token, expecting: .refresh)
        let newJti = random.hexID()
        let change = try await store.rotate(
            sessionId: claims.sid, userId: claims.userId, presentedJti: claims.jti, newJti: newJti,
            newExpiry: clock.now().addingTimeInterval(tokens.refreshTTL), now: clock.now())
        try await check(change, client: client)
        return try await tokens.issue(userId: claims.userId, sessionId: claims.sid, refreshJti: newJti)
    }

    /// Accepts any valid token of this service whose session is active (a refresh token must also be current).
    public func verifyToken(_ token: String) async throws {
        let claims = try await verifiedClaims(token, expecting: nil)
        let now = clock.now()
        switch claims.tokenType {
        case .refresh:
            guard try await store.isRefreshCurrent(sessionId: claims.sid, userId: claims.userId, jti: claims.jti, now: now) else { throw APIError.tokenNotValid }
        case .access:
            guard let user = try await store.authenticatedUser(sessionId: claims.sid, userId: claims.userId, now: now), user.isActive
            else { throw APIError.tokenNotValid }
        }
    }

    /// Ends the login session of a refresh token; returns that session's id.
    @discardableResult
    public func logout(_ token: String, client: ClientInfo) async throws -> String {
        let claims = try await verifiedClaims(token, expecting: .refresh)
        try await check(try await store.endSession(sessionId: claims.sid, userId: claims.userId, presentedJti: claims.jti, now: clock.now()), client: client)
        await audit.record(.logout, userId: claims.userId, client: client)
        return claims.sid
    }

    public func updateProfile(user: User, _ object: [String: JSONValue]) async throws -> User {
        let update = try ProfileUpdate(object)
        guard let id = user.id else { throw APIError.tokenNotValid }
        if update.firstName == nil && update.lastName == nil { return user }
        guard let updated = try await store.updateNames(userId: id, firstName: update.firstName, lastName: update.lastName) else {
            throw APIError.tokenNotValid
        }
        return updated
    }

    /// Deletes expired rows; run periodically by the API process.
    public func purgeExpired() async throws -> Int {
        let removed = try await store.purgeExpired(now: clock.now(), auditRetention: auditRetention)
        return removed + (try await limiter.purge())
    }

    // MARK: Helpers

    private func verifiedClaims(_ token: String, expecting type: TokenClaims.TokenType?) async throws -> TokenClaims {
        do {
            return try await tokens.verify(token, expecting: type)
        } catch {
            throw APIError.tokenNotValid
        }
    }

    private func check(_ change: SessionChange, client: ClientInfo) async throws {
        switch change {
        case .done: return
        case .inactive: throw APIError.tokenNotValid
        case .reuseDetected(let userId):
            await audit.record(.refreshReuseDetected, userId: userId, client: client, detail: "session revoked")
            throw APIError.tokenNotValid
        }
    }

    func throttle(_ scope: ThrottleScope, keys: [String]) async throws {
        if let wait = try await limiter.acquire(scope, keys: keys) { throw APIError.throttled(wait: wait) }
    }

    /// Gives back recorded hits; a failure only logs: the hit then counts, which errs on the safe side.
    func unthrottle(_ scope: ThrottleScope, keys: [String]) async {
        do {
            try await limiter.release(scope, keys: keys)
        } catch {
            logger.warning("giving back a throttle slot failed", metadata: ["error": "\(error)"])
        }
    }

    /// The second step of a per-IP-then-per-address limit: when the address refuses, the IP's
    /// slot taken in the first step is given back, so one refusal costs one slot.
    func throttleAddress(_ scope: ThrottleScope, key: String, client: ClientInfo) async throws {
        do {
            try await throttle(scope, keys: [key])
        } catch {
            await unthrottle(scope, keys: ["ip:" + client.ip])
            throw error
        }
    }

    func newSession(userId: Int64, client: ClientInfo) -> LoginSession {
        let now = clock.now()
        return LoginSession(
            id: random.token(byteCount: 16), userId: userId, refreshJti: random.hexID(),
            createdAt: now, expiresAt: now.addingTimeInterval(tokens.refreshTTL),
            userAgent: client.userAgent, ip: client.ip)
    }

    func issue(user: User, session: LoginSession) async throws -> TokenPair {
        try await tokens.issue(userId: user.id ?? session.userId, sessionId: session.id, refreshJti: session.refreshJti)
    }
}
