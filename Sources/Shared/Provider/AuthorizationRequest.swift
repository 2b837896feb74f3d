/// One request to `/oauth/authorize`, checked in the contract's order: first what decides
/// whether the browser may be sent back at all (the client and its exact redirect URI, no
/// parameter twice: otherwise an error page, never a redirect to an address nobody vouched
/// for), then everything else as an error redirect to that URI.
public struct AuthorizationRequest: Sendable, Equatable {
    public var client: OAuthClient
    public var redirectURI: String
    /// The requested scopes the provider knows, in the order asked, once each (`openid` among them).
    public var scopes: [String]
    public var state: String?
    public var nonce: String?
    /// The S256 challenge; nil only for a client that does not require PKCE (and then a nonce is there).
    public var codeChallenge: String?
    public var prompt: Set<Prompt>
    public var maxAge: Int?
    public var loginHint: String?

    public enum Prompt: String, Sendable, Hashable {
        case none, login, consent
    }

    /// Longest value kept of `state`, `nonce` and `login_hint`: they are stored with the pending
    /// request and the code, and no relying party needs more.
    public static let maxValueLength = 2048

    /// What the checks decided.
    public enum Outcome: Sendable, Equatable {
        /// 400 HTML page, no redirect: why, for the page (not for the client).
        case page(String)
        /// 302/303 to the client with `error` (RFC 6749 §4.1.2.1), `state` and `iss`.
        case redirect(ProviderRedirect)
        case valid(AuthorizationRequest)
    }

    /// `parameters` in the order received (a name twice is refused); `client` finds a client.
    public static func check(_ parameters: [(String, String)], client find: (String) async throws -> OAuthClient?) async throws -> Outcome {
        var values: [String: String] = [:]
        for (name, value) in parameters {
            if values[name] != nil { return .page("The parameter \(name) was given more than once.") }
            values[name] = value
        }
        guard let clientId = values["client_id"], !clientId.isEmpty, clientId.utf8.count <= 64,
              let client = try await find(clientId)
        else { return .page("Unknown client.") }
        guard let redirectURI = values["redirect_uri"], !redirectURI.isEmpty else { return .page("The redirect_uri parameter is missing.") }
        guard client.redirectURIs.contains(redirectURI) else { return .page("The redirect_uri is not registered for this client.") }

        let state = values["state"]
        func refuse(_ error: ProviderRedirect.ErrorCode, _ description: String) -> Outcome {
            .redirect(ProviderRedirect(to: redirectURI, error: error, description: description, state: state))
        }
        if values["request"] != nil { return refuse(.requestNotSupported, "Request objects are not supported.") }
        if values["request_uri"] != nil { return refuse(.requestURINotSupported, "request_uri is not supported.") }
        guard let responseType = values["response_type"], !responseType.isEmpty else {
            return refuse(.invalidRequest, "response_type is required.")
        }
        guard responseType == "code" else { return refuse(.unsupportedResponseType, "Only response_type=code is supported.") }
        if let mode = values["response_mode"], mode != "query" { return refuse(.invalidRequest, "Only response_mode=query is supported.") }
        for name in ["state", "nonce", "login_hint"] where (values[name]?.utf8.count ?? 0) > maxValueLength {
            return refuse(.invalidRequest, "\(name) is too long.")
        }
        let requested = (values["scope"] ?? "").split(separator: " ").map(String.init)
        guard requested.contains(ProviderScope.openid) else { return refuse(.invalidScope, "The openid scope is required.") }
        var scopes: [String] = []
        for scope in requested where ProviderScope.supported.contains(scope) && !scopes.contains(scope) { scopes.append(scope) }

        let nonce = values["nonce"].flatMap { $0.isEmpty ? nil : $0 }
        var challenge: String?
        if let method = values["code_challenge_method"], method != "S256" {
            return refuse(.invalidRequest, "Only code_challenge_method=S256 is supported.")
        }
        if let given = values["code_challenge"], !given.isEmpty {
            guard values["code_challenge_method"] == "S256" else {
                return refuse(.invalidRequest, "code_challenge_method=S256 is required (plain is not supported).")
            }
            guard given.utf8.count == 43, given.utf8.allSatisfy(Base64URL.isAlphabet) else {
                return refuse(.invalidRequest, "code_challenge must be 43 base64url characters.")
            }
            challenge = given
        } else if client.requirePKCE {
            return refuse(.invalidRequest, "PKCE (code_challenge with code_challenge_method=S256) is required.")
        } else if nonce == nil {
            return refuse(.invalidRequest, "A nonce is required without PKCE.")
        }

        var maxAge: Int?
        if let text = values["max_age"], !text.isEmpty {
            guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text.utf8.count <= 10, let seconds = Int(text) else {
                return refuse(.invalidRequest, "max_age must be a number of seconds.")
            }
            maxAge = seconds
        }
        let prompts = (values["prompt"] ?? "").split(separator: " ").map(String.init)
        let prompt = Set(prompts.compactMap(Prompt.init(rawValue:)))
        if prompt.contains(.none) && prompts.count > 1 {
            return refuse(.invalidRequest, "prompt=none cannot be combined with another value.")
        }
        return .valid(AuthorizationRequest(
            client: client, redirectURI: redirectURI, scopes: scopes, state: state, nonce: nonce, codeChallenge: challenge,
            prompt: prompt, maxAge: maxAge, loginHint: values["login_hint"]))
    }
}
