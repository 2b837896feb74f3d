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
    /// The session's assurance level and methods (`SessionLevel`); absent in tokens issued
    /// before they were added, which count as a password login.
    public var aal: Int?
    public var amr: [String]?

    enum CodingKeys: String, CodingKey {
        case tokenType = "token_type"
        case exp, iat, jti
        case userId = "user_id"
        case sid, iss, aud, nbf, aal, amr
    }

    /// The level the token says, as a password login when it says none.
    public var level: SessionLevel {
        guard let aal, let amr else { return .password }
        return SessionLevel(aal: aal, amr: amr)
    }

    public init(tokenType: TokenType, exp: Int64, iat: Int64, jti: String, userId: Int64, sid: String,
                iss: String? = nil, aud: String? = nil, level: SessionLevel? = nil) {
        self.tokenType = tokenType
        self.exp = exp
        self.iat = iat
        self.jti = jti
        self.userId = userId
        self.sid = sid
        self.iss = iss
        self.aud = aud.map { AudienceClaim(value: [$0]) }
        self.aal = level?.aal
        self.amr = level?.amr
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
        aal = container.contains(.aal) ? try container.decode(Int.self, forKey: .aal) : nil
        amr = container.contains(.amr) ? try container.decode([String].self, forKey: .amr) : nil
    }

    /// The payload as compact JSON with sorted keys, written directly (see `JSONText`).
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(224)
        func key(_ name: String) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        if let aal { key("aal"); JSONText.appendInteger(Int64(aal), to: &out) }
        if let amr {
            key("amr")
            out.append(UInt8(ascii: "["))
            for (i, method) in amr.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(method, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let aud {
            key("aud")
            if aud.value.count == 1 {
                JSONText.appendString(aud.value[0], to: &out)
            } else {
                out.append(UInt8(ascii: "["))
                for (i, value) in aud.value.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    JSONText.appendString(value, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        key("exp"); JSONText.appendInteger(exp, to: &out)
        key("iat"); JSONText.appendInteger(iat, to: &out)
        if let iss { key("iss"); JSONText.appendString(iss, to: &out) }
        key("jti"); JSONText.appendString(jti, to: &out)
        if let nbf { key("nbf"); JSONText.appendInteger(nbf, to: &out) }
        key("sid"); JSONText.appendString(sid, to: &out)
        key("token_type"); JSONText.appendString(tokenType.rawValue, to: &out)
        key("user_id"); JSONText.appendInteger(userId, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The claims of a parsed payload, as strictly as the `Decodable` initializer: every claim
    /// of the wrong type (`"exp": "1"`, `"nbf": null`, `"user_id": 1.5`) fails the whole token.
    public init(json value: JSONValue) throws(TokenError) {
        guard case .object(let claims) = value else { throw .invalidClaims }
        func integer(_ name: String) throws(TokenError) -> Int64 {
            // From 2^53 on, a JSON number read as a double may not be the integer written: refused.
            guard case .number(let number) = claims[name], number.rounded(.towardZero) == number,
                  abs(number) < 9_007_199_254_740_992
            else { throw .invalidClaims }
            return Int64(number)
        }
        func string(_ name: String) throws(TokenError) -> String {
            guard case .string(let text) = claims[name] else { throw .invalidClaims }
            return text
        }
        guard let type = TokenType(rawValue: try string("token_type")) else { throw .invalidClaims }
        tokenType = type
        exp = try integer("exp")
        iat = try integer("iat")
        jti = try string("jti")
        userId = try integer("user_id")
        sid = try string("sid")
        iss = claims["iss"] == nil ? nil : try string("iss")
        nbf = claims["nbf"] == nil ? nil : try integer("nbf")
        switch claims["aud"] {
        case nil: aud = nil
        case .string(let one): aud = AudienceClaim(value: [one])
        case .array(let many):
            var values: [String] = []
            for item in many {
                guard case .string(let text) = item else { throw .invalidClaims }
                values.append(text)
            }
            aud = AudienceClaim(value: values)
        default: throw .invalidClaims
        }
        aal = claims["aal"] == nil ? nil : Int(try integer("aal"))
        switch claims["amr"] {
        case nil: amr = nil
        case .array(let items):
            var methods: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw .invalidClaims }
                methods.append(text)
            }
            amr = methods
        default: throw .invalidClaims
        }
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
