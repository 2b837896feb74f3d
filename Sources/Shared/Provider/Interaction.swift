import Foundation

/// A pending authorization request while the browser goes through the sign-in pages: kept
/// server-side for ten minutes under the hash of its id (the id travels in the pages' URLs),
/// bound to the browser that started it by the hash of its `op_browser` cookie.
public struct Interaction: Sendable, Equatable {
    public enum Stage: String, Sendable {
        case login, mfa, consent
    }

    public static let lifetime: TimeInterval = 600

    public var idHash: Data
    public var browserHash: Data
    public var request: AuthorizationRequest
    /// Once the password passed: the user; once every factor passed: the sign-in session.
    public var userId: Int64?
    public var sessionId: String?
    public var stage: Stage
    public var attempts: Int
    public var createdAt: Date
    public var expiresAt: Date

    public init(idHash: Data, browserHash: Data, request: AuthorizationRequest, userId: Int64? = nil, sessionId: String? = nil,
                stage: Stage, attempts: Int = 0, createdAt: Date, expiresAt: Date) {
        self.idHash = idHash
        self.browserHash = browserHash
        self.request = request
        self.userId = userId
        self.sessionId = sessionId
        self.stage = stage
        self.attempts = attempts
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The request's parameters as the interaction row keeps them (the client is its own column).
struct StoredAuthorization: Codable {
    var redirectURI: String
    var scopes: [String]
    var state: String?
    var nonce: String?
    var codeChallenge: String?
    var prompt: [String]
    var maxAge: Int?
    var loginHint: String?

    init(_ request: AuthorizationRequest) {
        redirectURI = request.redirectURI
        scopes = request.scopes
        state = request.state
        nonce = request.nonce
        codeChallenge = request.codeChallenge
        prompt = request.prompt.map(\.rawValue).sorted()
        maxAge = request.maxAge
        loginHint = request.loginHint
    }

    func request(client: OAuthClient) -> AuthorizationRequest {
        AuthorizationRequest(
            client: client, redirectURI: redirectURI, scopes: scopes, state: state, nonce: nonce, codeChallenge: codeChallenge,
            prompt: Set(prompt.compactMap(AuthorizationRequest.Prompt.init(rawValue:))), maxAge: maxAge, loginHint: loginHint)
    }
}
