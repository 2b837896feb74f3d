import JWTKit

/// The claims of simplejwt's tokens (`token_type`, `exp`, `iat`, `jti`, `user_id`) plus `sid`,
/// the login session the token belongs to. Decoding is strict: a claim of the wrong type makes
/// the whole token invalid.
public struct TokenClaims: JWTPayload, Equatable {
    public enum TokenType: String, Codable, Sendable {
        case access, refresh
    }

    public var tokenType: TokenType
    public var exp: Int64
    public var iat: Int64
    public var jti: String
    public var userId: Int64
    public var sid: String
    /// Who issued the token (`AUTH_JWT_ISSUER`), checked when configured.
    public var iss: String?
    /// Not before (RFC 7519 4.1.5): never set by us, but honoured when a token carries it.
    public var nbf: Int64?
    /// Who the token is for (`AUTH_JWT_AUDIENCE`): set and checked only when configured, since a
    /// verifier that expects no audience (PyJWT's default) refuses tokens that carry one.
    public var aud: AudienceClaim?

    enum CodingKeys: String, CodingKey {
        case tokenType = "token_type"
        case exp, iat, jti
        case userId = "user_id"
        case sid, iss, aud, nbf
    }

    public init(tokenType: TokenType, exp: Int64, iat: Int64, jti: String, userId: Int64, sid: String,
                iss: String? = nil, aud: String? = nil) {
        self.tokenType = tokenType
        self.exp = exp
        self.iat = iat
        self.jti = jti
        self.userId = userId
        self.sid = sid
        self.iss = iss
        self.aud = aud.map { AudienceClaim(value: [$0]) }
    }

    /// Strict decoding: an optional claim that is present must have its type (`"nbf": null` is
    /// as invalid as `"nbf": "0"`, as PyJWT holds too); absent is the only way to leave it out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tokenType = try container.decode(TokenType.self, forKey: .tokenType)
        exp = try container.decode(Int64.self, forKey: .exp)
        iat = try container.decode(Int64.self, forKey: .iat)
        jti = try container.decode(String.self, forKey: .jti)
        userId = try container.decode(Int64.self, forKey: .userId)
        sid = try container.decode(String.self, forKey: .sid)
        iss = container.contains(.iss) ? try container.decode(String.self, forKey: .iss) : nil
        nbf = container.contains(.nbf) ? try container.decode(Int64.self, forKey: .nbf) : nil
        aud = container.contains(.aud) ? try container.decode(AudienceClaim.self, forKey: .aud) : nil
    }

    /// Time checks happen in `TokenService` against its injected clock, not here.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Why a token was refused; all of them answer 401 `token_not_valid`, kept apart for logs and tests.
public enum TokenError: Error, Equatable, Sendable {
    case malformed
    case algorithmNotAllowed
    case badSignature
    case invalidClaims
    case expired
    /// `nbf` lies in the future beyond the leeway.
    case notYetValid
    case wrongType
}

/// An access token and a refresh token of one login session.
public struct TokenPair: Sendable, Equatable {
    public var access: String
    public var refresh: String
    public var refreshJti: String
}
