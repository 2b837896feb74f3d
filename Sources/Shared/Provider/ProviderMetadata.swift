/// The OpenID Provider's discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414): what a
/// relying party reads once to find every endpoint and what each supports. Every value follows
/// from the issuer and the contract; nothing here is configurable but the issuer, so relying
/// parties never meet a capability that is advertised and then refused.
public struct ProviderMetadata: Encodable, Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var userinfoEndpoint: String
    public var revocationEndpoint: String
    public var endSessionEndpoint: String
    public var jwksURI: String
    public var scopesSupported = ProviderScope.supported
    public var responseTypesSupported = ["code"]
    public var responseModesSupported = ["query"]
    public var grantTypesSupported = ["authorization_code", "refresh_token"]
    public var subjectTypesSupported = ["public"]
    public var idTokenSigningAlgValuesSupported = ["RS256"]
    public var tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
    public var revocationEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
    public var codeChallengeMethodsSupported = ["S256"]
    public var acrValuesSupported = ["aal1", "aal2"]
    public var promptValuesSupported = ["none", "login", "consent"]
    /// Every claim an ID token or userinfo may carry (the contract's "Tokens" list).
    public var claimsSupported = [
        "iss", "sub", "aud", "azp", "iat", "exp", "auth_time", "nonce", "sid", "acr", "amr", "at_hash",
        "email", "email_verified", "name", "given_name", "family_name",
    ]
    public var authorizationResponseIssParameterSupported = true
    public var claimsParameterSupported = false
    public var requestParameterSupported = false
    public var requestURIParameterSupported = false

    public init(provider: ProviderConfiguration) {
        issuer = provider.issuer
        authorizationEndpoint = provider.url("/oauth/authorize")
        tokenEndpoint = provider.url("/oauth/token")
        userinfoEndpoint = provider.url("/oauth/userinfo")
        revocationEndpoint = provider.url("/oauth/revoke")
        endSessionEndpoint = provider.url("/oauth/logout")
        jwksURI = provider.url("/.well-known/jwks.json")
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case endSessionEndpoint = "end_session_endpoint"
        case jwksURI = "jwks_uri"
        case scopesSupported = "scopes_supported"
        case responseTypesSupported = "response_types_supported"
        case responseModesSupported = "response_modes_supported"
        case grantTypesSupported = "grant_types_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case acrValuesSupported = "acr_values_supported"
        case promptValuesSupported = "prompt_values_supported"
        case claimsSupported = "claims_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
        case claimsParameterSupported = "claims_parameter_supported"
        case requestParameterSupported = "request_parameter_supported"
        case requestURIParameterSupported = "request_uri_parameter_supported"
    }
}
