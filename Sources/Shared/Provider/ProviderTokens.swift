import Crypto
import Foundation
import JWTKit

/// The OpenID Provider's tokens, always RS256 with the current key of its RS256 ring (`kid` in
/// the header): ID tokens (`typ: JWT`) and RFC 9068 access tokens (`typ: at+jwt`). An access
/// token's `jti` begins with its token session's id, so userinfo finds the session without a
/// table of issued tokens, and a token of an ended session stops working at once.
public struct ProviderTokens: Sendable {
    let ring: KeyRing
    let provider: ProviderConfiguration
    let accessTTL: TimeInterval
    let clock: any AuthClock
    let random: any RandomSource

    public init(ring: KeyRing, provider: ProviderConfiguration, accessTTL: TimeInterval, clock: any AuthClock, random: any RandomSource) {
        self.ring = ring
        self.provider = provider
        self.accessTTL = accessTTL
        self.clock = clock
        self.random = random
    }

    /// The claims of the scopes (`email`: email and email_verified; `profile`: the names that
    /// are not empty), shared by ID tokens and userinfo.
    public static func scopeClaims(_ user: User, scopes: [String]) -> [String: JSONValue] {
        var claims: [String: JSONValue] = [:]
        if scopes.contains(ProviderScope.email) {
            claims["email"] = .string(user.email)
            claims["email_verified"] = .bool(user.isVerified)
        }
        if scopes.contains(ProviderScope.profile) {
            let name = [user.firstName, user.lastName].filter { !$0.isEmpty }.joined(separator: " ")
            if !name.isEmpty { claims["name"] = .string(name) }
            if !user.firstName.isEmpty { claims["given_name"] = .string(user.firstName) }
            if !user.lastName.isEmpty { claims["family_name"] = .string(user.lastName) }
        }
        return claims
    }

    /// `auth_time`, `acr` and `amr` of the sign-in a token session came from.
    static func assurance(_ session: TokenSession) -> [String: JSONValue] {
        ["acr": .string("aal\(session.level.aal)"), "amr": .array(session.level.amr.map(JSONValue.string)),
         "auth_time": .number(session.authTime.timeIntervalSince1970.rounded(.down))]
    }

    /// `sid` is the sign-in session's id, the same for every ID token of the token session.
    public func idToken(user: User, session: TokenSession, scopes: [String], nonce: String?) throws -> String {
        let now = clock.now()
        var claims = Self.scopeClaims(user, scopes: scopes).merging(Self.assurance(session)) { $1 }
        claims["iss"] = .string(provider.issuer)
        claims["sub"] = .string(String(session.userId))
        claims["aud"] = .string(session.clientId)
        claims["azp"] = .string(session.clientId)
        claims["iat"] = .number(now.timeIntervalSince1970.rounded(.down))
        claims["exp"] = .number((now.timeIntervalSince1970 + provider.idTokenTTL).rounded(.down))
        claims["sid"] = .string(session.signInSessionId)
        if let nonce { claims["nonce"] = .string(nonce) }
        return try sign(claims, type: "JWT")
    }

    public func accessToken(tokenSession: TokenSession, scopes: [String]) throws -> String {
        let now = clock.now()
        var claims = Self.assurance(tokenSession)
        claims["iss"] = .string(provider.issuer)
        claims["sub"] = .string(String(tokenSession.userId))
        claims["aud"] = .string(provider.audience ?? tokenSession.clientId)
        claims["client_id"] = .string(tokenSession.clientId)
        claims["scope"] = .string(scopes.joined(separator: " "))
        claims["jti"] = .string(tokenSession.id + "." + random.token(byteCount: 12))
        claims["iat"] = .number(now.timeIntervalSince1970.rounded(.down))
        claims["exp"] = .number((now.timeIntervalSince1970 + accessTTL).rounded(.down))
        return try sign(claims, type: "at+jwt")
    }

    /// An access token's claims once its header (RS256, `at+jwt`, a known key), signature,
    /// issuer and expiry check out; nil otherwise (an account token, an ID token, a forgery).
    public func verifiedAccessToken(_ token: String) async -> (tokenSessionId: String, scopes: [String])? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 8192, parts.count == 3, let headerData = Base64URL.decode(parts[0]),
              let header = try? JSONParser.parse(headerData), let decoded = TokenService.Header(json: header),
              decoded.alg == "RS256", decoded.typ == "at+jwt", !decoded.namesForeignKeyOrExtension, let kid = decoded.kid,
              let verifier = await ring.verifier(kid: kid), let signature = Base64URL.decode(parts[2]),
              (try? verifier.verify(signature, signs: Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count)))) == true,
              let payload = Base64URL.decode(parts[1]), case .object(let claims)? = try? JSONParser.parse(payload),
              claims["iss"] == .string(provider.issuer), case .number(let exp)? = claims["exp"], exp > clock.now().timeIntervalSince1970,
              case .string(let jti)? = claims["jti"], let dot = jti.firstIndex(of: "."), case .string(let scope)? = claims["scope"]
        else { return nil }
        return (String(jti[..<dot]), scope.split(separator: " ").map(String.init))
    }

    func sign(_ claims: [String: JSONValue], type: String) throws -> String {
        guard let signer = ring.signer else { throw KeyError.unknownKid("(no current RS256 key)") }
        let header = Base64URL.encode(Array(#"{"alg":"RS256","kid":"\#(signer.kid)","typ":"\#(type)"}"#.utf8))
        let input = header + "." + Base64URL.encode(JSONValue.object(claims).sortedJSONBytes())
        return input + "." + Base64URL.encode(try signer.algorithm.sign(Array(input.utf8)))
    }
}
