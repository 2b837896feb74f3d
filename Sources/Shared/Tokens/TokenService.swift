import Crypto
import Foundation
import JWTKit

/// Issues and verifies JWTs. Under HS256 (the default) they are signed with the bytes of
/// `AUTH_SECRET_KEY`, as simplejwt does with Django's `SECRET_KEY`; under ES256, EdDSA or RS256
/// with the current key of a `KeyRing`, naming it in `kid`. The algorithm is pinned: the header
/// must say the configured one and `typ: JWT` before the signature is even checked. Expiry is
/// checked against the injected clock.
public struct TokenService: Sendable {
    /// Where signatures come from.
    enum Keys: Sendable {
        /// HS256: jwt-kit's algorithm for each secret, by key id, used directly (the key
        /// collection is an actor, and a hop to it on every request costs more than the check).
        case secrets(algorithms: [String: any JWTAlgorithm], currentKid: String, encodedHeader: String)
        /// An asymmetric algorithm: the keys of the database.
        case ring(KeyRing)
    }

    let keys: Keys
    /// The `alg` every token must name.
    public let algorithm: SigningAlgorithm
    let issuer: String?
    let audience: String?
    let clock: any AuthClock
    let random: any RandomSource
    public let accessTTL: TimeInterval
    public let refreshTTL: TimeInterval
    /// Clock skew tolerated on `exp` and `nbf`; `iat` tolerates `ClockSkew.tolerated` (a replica ahead).
    public let leeway: TimeInterval

    /// Tokens longer than this are refused before any parsing.
    static let maxTokenLength = 4_096
    /// 9999-12-31T23:59:59Z: later timestamps are out of range.
    static let maxTimestamp: Int64 = 253_402_300_799

    /// HS256. `previousKeys` still verify tokens (until they expire) after a key rotation; new
    /// tokens are signed with `secretKey`.
    public init(
        secretKey: String, previousKeys: [String] = [], accessTTL: TimeInterval, refreshTTL: TimeInterval,
        clock: any AuthClock, random: any RandomSource, leeway: TimeInterval = 1,
        issuer: String? = nil, audience: String? = nil
    ) async {
        let collection = JWTKeyCollection()
        var algorithms: [String: any JWTAlgorithm] = [:]
        for key in [secretKey] + previousKeys {
            let kid = Self.keyID(key)
            await collection.add(hmac: HMACKey(from: Array(key.utf8)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            // Every key was just added under its kid.
            algorithms[kid] = try! await collection.getKey(for: JWKIdentifier(string: kid))
        }
        let currentKid = Self.keyID(secretKey)
        self.init(
            keys: .secrets(algorithms: algorithms, currentKid: currentKid,
                           encodedHeader: Base64URL.encode(Array(#"{"alg":"HS256","kid":"\#(currentKid)","typ":"JWT"}"#.utf8))),
            algorithm: .hs256, accessTTL: accessTTL, refreshTTL: refreshTTL, clock: clock, random: random, leeway: leeway,
            issuer: issuer, audience: audience)
    }

    /// ES256, EdDSA or RS256 with the ring's keys.
    public init(
        keyRing: KeyRing, accessTTL: TimeInterval, refreshTTL: TimeInterval, clock: any AuthClock, random: any RandomSource,
        leeway: TimeInterval = 1, issuer: String? = nil, audience: String? = nil
    ) {
        self.init(keys: .ring(keyRing), algorithm: keyRing.algorithm, accessTTL: accessTTL, refreshTTL: refreshTTL, clock: clock,
                  random: random, leeway: leeway, issuer: issuer, audience: audience)
    }

    init(keys: Keys, algorithm: SigningAlgorithm, accessTTL: TimeInterval, refreshTTL: TimeInterval, clock: any AuthClock,
         random: any RandomSource, leeway: TimeInterval, issuer: String?, audience: String?) {
        self.keys = keys
        self.algorithm = algorithm
        self.issuer = issuer
        self.audience = audience
        self.clock = clock
        self.random = random
        self.accessTTL = accessTTL
        self.refreshTTL = refreshTTL
        self.leeway = leeway
    }

    /// The key new tokens are signed with: its header and algorithm.
    func currentSigner() -> (encodedHeader: String, algorithm: any JWTAlgorithm)? {
        switch keys {
        case .secrets(let algorithms, let currentKid, let encodedHeader):
            return (encodedHeader, algorithms[currentKid]!)
        case .ring(let ring):
            return ring.signer.map { ($0.encodedHeader, $0.algorithm) }
        }
    }

    /// The key id new tokens name.
    public var currentKid: String? {
        switch keys {
        case .secrets(_, let currentKid, _): return currentKid
        case .ring(let ring): return ring.signer?.kid
        }
    }

    /// A new access + refresh pair for a login session; the refresh token's jti is the one
    /// the session must record as current.
    public func issue(userId: Int64, sessionId: String, refreshJti: String? = nil, level: SessionLevel = .password) async throws -> TokenPair {
        let now = Int64(clock.now().timeIntervalSince1970)
        let jti = refreshJti ?? random.hexID()
        let refresh = TokenClaims(
            tokenType: .refresh, exp: now + Int64(refreshTTL), iat: now, jti: jti, userId: userId, sid: sessionId,
            iss: issuer, aud: audience, level: level)
        let access = TokenClaims(
            tokenType: .access, exp: now + Int64(accessTTL), iat: now, jti: random.hexID(), userId: userId, sid: sessionId,
            iss: issuer, aud: audience, level: level)
        return TokenPair(access: try sign(access), refresh: try sign(refresh), refreshJti: jti)
    }

    /// A key's id: the start of its SHA-256, which names the key without revealing it.
    public static func keyID(_ key: String) -> String {
        String(Base64URL.encode(SHA256.hash(data: Array(key.utf8))).prefix(12))
    }

    func sign(_ claims: TokenClaims) throws -> String {
        guard let (header, algorithm) = currentSigner() else { throw KeyError.unknownKid("(no current signing key)") }
        let input = header + "." + Base64URL.encode(claims.jsonBytes())
        return input + "." + Base64URL.encode(try algorithm.sign(Array(input.utf8)))
    }

    /// Signed claims of a token, checked for algorithm, type header, signature, claim types and
    /// ranges, expiry and (when given) the expected token type. Session state is not checked here.
    public func verify(_ token: String, expecting expected: TokenClaims.TokenType? = nil) async throws(TokenError) -> TokenClaims {
        let utf8 = token.utf8
        guard utf8.count <= Self.maxTokenLength,
              let firstDot = utf8.firstIndex(of: 0x2E),
              let secondDot = utf8[utf8.index(after: firstDot)...].firstIndex(of: 0x2E)
        else { throw .malformed }
        let header = utf8[..<firstDot]
        let payload = utf8[utf8.index(after: firstDot)..<secondDot]
        let signaturePart = utf8[utf8.index(after: secondDot)...]
        guard !signaturePart.isEmpty, !signaturePart.contains(0x2E) else { throw .malformed }
        // Our own current header is one fixed string; anything else is decoded and checked: the
        // algorithm is pinned, `kid` must name one of our keys (none means the current secret
        // under HS256; an asymmetric token always names its key).
        let current = currentSigner()
        var verifier: any JWTAlgorithm
        if let current, header.elementsEqual(current.encodedHeader.utf8) {
            verifier = current.algorithm
        } else {
            guard let headerData = Base64URL.decode(header),
                  let parsed = try? JSONParser.parse(headerData), let decoded = Header(json: parsed)
            else { throw .malformed }
            // A header that names its own key (`jwk`, `jku`, `x5u`, `x5c`) or extensions we do not
            // understand (`crit`) is refused outright (RFC 8725 3.1, RFC 7515 4.1.11).
            guard decoded.alg == algorithm.jwtName, decoded.typ == "JWT", !decoded.namesForeignKeyOrExtension
            else { throw .algorithmNotAllowed }
            switch keys {
            case .secrets(let algorithms, let currentKid, _):
                guard let keyed = algorithms[decoded.kid ?? currentKid] else { throw .badSignature }
                verifier = keyed
            case .ring(let ring):
                guard let kid = decoded.kid, let keyed = await ring.verifier(kid: kid) else { throw .badSignature }
                verifier = keyed
            }
        }
        guard let signature = Base64URL.decode(signaturePart) else { throw .malformed }
        guard (try? verifier.verify(signature, signs: Array(utf8[..<secondDot]))) == true else { throw .badSignature }
        guard let payloadData = Base64URL.decode(payload), let parsed = try? JSONParser.parse(payloadData)
        else { throw .invalidClaims }
        let claims = try TokenClaims(json: parsed)
        try check(claims)
        if let expected, claims.tokenType != expected { throw .wrongType }
        return claims
    }

    /// The registered claims (RFC 7519 4.1), each for presence, type (already by decoding) and
    /// range, and the time claims against the clock: `exp` in the past or `nbf` in the future
    /// beyond the leeway, `iat` in the future beyond the replicas' tolerated skew, make the
    /// token invalid.
    func check(_ claims: TokenClaims) throws(TokenError) {
        let timestamps = [claims.exp, claims.iat] + (claims.nbf.map { [$0] } ?? [])
        guard claims.exp > 0, timestamps.allSatisfy({ $0 >= 0 && $0 <= Self.maxTimestamp }),
              !claims.jti.isEmpty, claims.jti.utf8.count <= 64, !claims.sid.isEmpty, claims.sid.utf8.count <= 64,
              claims.userId > 0
        else { throw .invalidClaims }
        let now = clock.now().timeIntervalSince1970
        guard Double(claims.exp) + leeway > now else { throw .expired }
        // Another replica may have issued it with a clock a little ahead (`ClockSkew`).
        guard Double(claims.iat) - max(leeway, ClockSkew.tolerated) <= now else { throw .invalidClaims }
        if let nbf = claims.nbf, Double(nbf) - leeway > now { throw .notYetValid }
        if let issuer, claims.iss != issuer { throw .invalidClaims }
        // RFC 7519 4.1.3: a token with an audience we are not in is refused, and one with an
        // audience at all when we expect none.
        if let audience {
            guard claims.aud?.value.contains(audience) ?? false else { throw .invalidClaims }
        } else if claims.aud != nil {
            throw .invalidClaims
        }
    }

    struct Header {
        var alg: String
        var typ: String?
        var kid: String?
        /// Whether the header has any of `crit`, `jwk`, `jku`, `x5u`, `x5c` — with any value, null included.
        var namesForeignKeyOrExtension: Bool

        /// Nil when the header is not an object, `alg` is not a string, or `typ`/`kid` are there
        /// but not strings.
        init?(json value: JSONValue) {
            guard case .object(let fields) = value, case .string(let alg) = fields["alg"] else { return nil }
            self.alg = alg
            func optional(_ name: String) -> String?? {
                switch fields[name] {
                case nil: return .some(nil)
                case .string(let text): return .some(text)
                default: return nil
                }
            }
            guard let typ = optional("typ"), let kid = optional("kid") else { return nil }
            self.typ = typ
            self.kid = kid
            namesForeignKeyOrExtension = ["crit", "jwk", "jku", "x5u", "x5c"].contains { fields[$0] != nil }
        }
    }
}
