/// A redirect back to the client: a code, or an error (RFC 6749 §4.1.2), always with the
/// issuer (`iss`, RFC 9207) and the request's `state`, added to the redirect URI's own query.
public struct ProviderRedirect: Sendable, Equatable {
    public enum ErrorCode: String, Sendable {
        case invalidRequest = "invalid_request"
        case unsupportedResponseType = "unsupported_response_type"
        case invalidScope = "invalid_scope"
        case requestNotSupported = "request_not_supported"
        case requestURINotSupported = "request_uri_not_supported"
        case loginRequired = "login_required"
        case consentRequired = "consent_required"
        case accessDenied = "access_denied"
    }

    public var redirectURI: String
    public var code: String?
    public var error: ErrorCode?
    public var errorDescription: String?
    public var state: String?

    public init(to redirectURI: String, error: ErrorCode, description: String?, state: String?) {
        self.redirectURI = redirectURI
        self.error = error
        errorDescription = description
        self.state = state
    }

    public init(to redirectURI: String, code: String, state: String?) {
        self.redirectURI = redirectURI
        self.code = code
        self.state = state
    }

    /// The address the browser goes to: the registered URI with `code` or `error`
    /// (`error_description`), `state` and `iss` added to whatever query it already has.
    public func location(issuer: String) -> String {
        var items: [(String, String)] = []
        if let code { items.append(("code", code)) }
        if let error { items.append(("error", error.rawValue)) }
        if let errorDescription { items.append(("error_description", errorDescription)) }
        if let state { items.append(("state", state)) }
        items.append(("iss", issuer))
        let query = items.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        // Registered URIs have no fragment (`RedirectURI`): only their own query is kept.
        let separator = redirectURI.contains("?") ? (redirectURI.hasSuffix("?") || redirectURI.hasSuffix("&") ? "" : "&") : "?"
        return redirectURI + separator + query
    }
}
