import Crypto
import Foundation

/// `POST /oauth/token` and `/oauth/userinfo`: client authentication first (RFC 6749 §2.3:
/// `client_secret_basic`, `client_secret_post`, or `none` for a public client), then the grant.
/// Errors are OAuth's (`ProviderTokenError`), never the account API's.
public struct ProviderTokenEndpoint: Sendable {
    let clients: any ClientStore
    let store: any TokenSessionStore
    let secrets: ClientSecrets
    let tokens: ProviderTokens
    let audit: AuditLog
    let clock: any AuthClock
    let random: any RandomSource
    let refreshTTL: TimeInterval
    let accessTTL: TimeInterval

    public init(clients: any ClientStore, store: any TokenSessionStore, secrets: ClientSecrets, tokens: ProviderTokens, audit: AuditLog,
                clock: any AuthClock, random: any RandomSource, refreshTTL: TimeInterval, accessTTL: TimeInterval) {
        self.clients = clients
        self.store = store
        self.secrets = secrets
        self.tokens = tokens
        self.audit = audit
        self.clock = clock
        self.random = random
        self.refreshTTL = refreshTTL
        self.accessTTL = accessTTL
    }

    /// What the token endpoint answers (RFC 6749 §5.1).
    public struct Issued: Sendable, Equatable {
        public var accessToken: String
        public var expiresIn: Int
        public var scope: String
        public var idToken: String
        public var refreshToken: String?
    }

    /// The calling client. `basic`: the Authorization header's id and secret, already
    /// form-decoded; `form`: the body. Two methods at once is `invalid_request`.
    public func authenticate(basic: (id: String, secret: String)?, form: [String: String]) async throws -> OAuthClient {
        if basic != nil, form["client_secret"] != nil { throw ProviderTokenError.invalidRequest("Use one client authentication method.") }
        let id = basic?.id ?? form["client_id"]
        let secret = basic?.secret ?? form["client_secret"]
        if let basic, let posted = form["client_id"], posted != basic.id {
            throw ProviderTokenError.invalidRequest("client_id does not match the Authorization header.")
        }
        guard let id, !id.isEmpty, id.utf8.count <= 64, let client = try await clients.client(id: id) else { throw ProviderTokenError.invalidClient }
        if client.isPublic {
            guard secret == nil else { throw ProviderTokenError.invalidClient }
        } else {
            guard let secret, secrets.matches(secret, client: client) else { throw ProviderTokenError.invalidClient }
        }
        return client
    }

    /// `grant_type=authorization_code`: the code, its redirect URI and PKCE verifier.
    public func exchangeCode(client: OAuthClient, form: [String: String], info: ClientInfo) async throws -> Issued {
        guard let code = form["code"], !code.isEmpty, let redirectURI = form["redirect_uri"], !redirectURI.isEmpty else {
            throw ProviderTokenError.invalidRequest("code and redirect_uri are required.")
        }
        let verifier = form["code_verifier"]
        if let verifier, !Self.isWellFormedVerifier(verifier) { throw ProviderTokenError.invalidGrant("The code_verifier is malformed.") }
        let now = clock.now()
        let refreshTTL = self.refreshTTL
        let accessTTL = self.accessTTL
        let sessionId = random.token(byteCount: 16)
        let refresh = RefreshToken(sessionId: sessionId, random: random)
        let outcome = try await store.redeemAuthorizationCode(
            codeHash: InteractionSecrets.hash(code), clientId: client.clientId, redirectURI: redirectURI, now: now,
            verifies: { challenge in Self.verifies(verifier, challenge: challenge) },
            open: { code, signIn in
                let offline = code.scopes.contains(ProviderScope.offlineAccess)
                return TokenSession(
                    id: sessionId, userId: code.userId, clientId: code.clientId, signInSessionId: code.sessionId, scopes: code.scopes,
                    offline: offline, refreshHash: offline ? refresh.hash : nil, authTime: signIn.createdAt, level: signIn.level,
                    // Without a refresh token nothing outlives the access token (and the sign-in session).
                    createdAt: now, expiresAt: now.addingTimeInterval(offline ? refreshTTL : accessTTL))
            })
        switch outcome {
        case .invalidGrant:
            throw ProviderTokenError.invalidGrant("The code is unknown, expired, used, or not for this client and redirect_uri, or the verifier is wrong.")
        case .reused(let code):
            await audit.record(.oauthCodeReuse, userId: code.userId, client: info, detail: client.clientId)
            throw ProviderTokenError.invalidGrant("The code was already used.")
        case .exchanged(let exchange):
            let issued = try issue(exchange.tokenSession, user: exchange.user, scopes: exchange.code.scopes, nonce: exchange.code.nonce,
                                   refresh: exchange.tokenSession.offline ? refresh.token : nil)
            await audit.record(.oauthTokenIssued, userId: exchange.user.id, client: info, detail: "\(client.clientId) authorization_code")
            return issued
        }
    }

    /// `grant_type=refresh_token`: rotation as `/token/refresh/` (a rotated-out token again
    /// ends the session); an access token of at most the granted scopes, a new ID token with
    /// the same `sub`, `sid`, `auth_time`, `acr`, `amr` and no `nonce`.
    public func refresh(client: OAuthClient, form: [String: String], info: ClientInfo) async throws -> Issued {
        guard let presented = form["refresh_token"], !presented.isEmpty else { throw ProviderTokenError.invalidRequest("refresh_token is required.") }
        guard let parsed = RefreshToken(parsing: presented) else { throw ProviderTokenError.invalidGrant("The refresh token is not valid.") }
        let rotated = RefreshToken(sessionId: parsed.sessionId, random: random)
        let requested = form["scope"].flatMap { $0.isEmpty ? nil : $0.split(separator: " ").map(String.init) }
        let outcome = try await store.rotateProviderRefresh(
            sessionId: parsed.sessionId, presentedHash: parsed.hash, newHash: rotated.hash, clientId: client.clientId, scopes: requested,
            now: clock.now())
        switch outcome {
        case .invalidGrant:
            throw ProviderTokenError.invalidGrant("The refresh token is unknown, expired, revoked, or another client's.")
        case .reused(let session):
            await audit.record(.refreshReuseDetected, userId: session.userId, client: info, detail: client.clientId)
            throw ProviderTokenError.invalidGrant("The refresh token was already used; its session has ended.")
        case .invalidScope:
            throw ProviderTokenError.invalidScope("The scope may not exceed the granted one.")
        case .rotated(let session, let user):
            let scopes = requested.map { asked in session.scopes.filter(asked.contains) } ?? session.scopes
            let issued = try issue(session, user: user, scopes: scopes, nonce: nil, refresh: rotated.token)
            await audit.record(.oauthTokenIssued, userId: user.id, client: info, detail: "\(client.clientId) refresh_token")
            return issued
        }
    }

    func issue(_ session: TokenSession, user: User, scopes: [String], nonce: String?, refresh: String?) throws -> Issued {
        Issued(
            accessToken: try tokens.accessToken(tokenSession: session, scopes: scopes), expiresIn: Int(accessTTL),
            scope: scopes.joined(separator: " "), idToken: try tokens.idToken(user: user, session: session, scopes: scopes, nonce: nonce),
            refreshToken: refresh)
    }

    /// userinfo: the claims of a live access token's scopes; nil for anything else.
    public func userinfo(accessToken: String) async throws -> [String: JSONValue]? {
        guard let (sessionId, scopes) = await tokens.verifiedAccessToken(accessToken),
              let (session, user) = try await store.tokenSessionUser(id: sessionId, now: clock.now())
        else { return nil }
        var claims = ProviderTokens.scopeClaims(user, scopes: scopes.filter(session.scopes.contains))
        claims["sub"] = .string(String(session.userId))
        return claims
    }

    /// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`.
    static func isWellFormedVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy { byte in
            Base64URL.isAlphabet(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
        }
    }

    /// A code issued with a challenge needs its verifier; one issued without cannot take one
    /// (no downgrade).
    static func verifies(_ verifier: String?, challenge: String?) -> Bool {
        switch (verifier, challenge) {
        case (nil, nil): return true
        case (let verifier?, let challenge?):
            let computed = Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
            return computed.utf8.count == challenge.utf8.count
                && zip(computed.utf8, challenge.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        default: return false
        }
    }
}

/// The token endpoint's errors (RFC 6749 §5.2).
public enum ProviderTokenError: Error, Equatable {
    case invalidClient
    case invalidRequest(String)
    case invalidGrant(String)
    case unsupportedGrantType
    case invalidScope(String)

    public var code: String {
        switch self {
        case .invalidClient: return "invalid_client"
        case .invalidRequest: return "invalid_request"
        case .invalidGrant: return "invalid_grant"
        case .unsupportedGrantType: return "unsupported_grant_type"
        case .invalidScope: return "invalid_scope"
        }
    }

    public var description: String {
        switch self {
        case .invalidClient: return "Client authentication failed."
        case .invalidRequest(let text), .invalidGrant(let text), .invalidScope(let text): return text
        case .unsupportedGrantType: return "Only authorization_code and refresh_token are supported."
        }
    }
}
