import Foundation
import Testing
@testable import Shared

@Suite("JWT issuing and verification")
struct TokenServiceTests {
    let clock = ManualClock()

    func service(secret: String = testSecret) async -> TokenService {
        await TokenService(secretKey: secret, accessTTL: 300, refreshTTL: 86_400, clock: clock, random: SecureRandom())
    }

    /// A token with the given header and claims, signed with HS256 under `secret`.
    func craft(header: String = #"{"alg":"HS256","typ":"JWT"}"#, claims: String, secret: String = testSecret) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        let mac = HMACSHA256.mac(key: Array(secret.utf8), message: Array(input.utf8))
        return input + "." + Base64URL.encode(mac)
    }

    func claims(exp: String? = nil, iat: String? = nil, userId: String = "1", type: String = "access") -> String {
        let now = Int(clock.now().timeIntervalSince1970)
        return #"{"token_type":"\#(type)","exp":\#(exp ?? String(now + 60)),"iat":\#(iat ?? String(now)),"jti":"abc","user_id":\#(userId),"sid":"s1"}"#
    }

    @Test("Issued tokens carry simplejwt's claims and typ JWT, and verify")
    func roundTrip() async throws {
        let tokens = await service()
        let pair = try await tokens.issue(userId: 7, sessionId: "sess")
        let access = try await tokens.verify(pair.access, expecting: .access)
        #expect(access.userId == 7 && access.sid == "sess" && access.tokenType == .access)
        #expect(access.exp - access.iat == 300)
        #expect(access.jti.count == 32)
        let refresh = try await tokens.verify(pair.refresh, expecting: .refresh)
        #expect(refresh.jti == pair.refreshJti && refresh.exp - refresh.iat == 86_400)
        let header = String(decoding: Base64URL.decode(pair.access.split(separator: ".")[0])!, as: UTF8.self)
        #expect(header.contains(#""typ":"JWT""#) && header.contains(#""alg":"HS256""#))
        // simplejwt-compatible: a token crafted with the same key's bytes verifies.
        #expect(try await tokens.verify(craft(claims: claims())).userId == 1)
    }

    @Test("The hand-written payload is the JSON JSONEncoder would write, escapes included, and reads back")
    func payloadText() async throws {
        let awkward = "iss \"quoted\" \\ é 😀 \u{1}\n/"
        let tokens = await TokenService(secretKey: testSecret, accessTTL: 300, refreshTTL: 86_400, clock: clock,
                                        random: SecureRandom(), issuer: awkward, audience: "aud\"ience")
        let pair = try await tokens.issue(userId: 9_007_199_254_740_991, sessionId: "s\u{7f}id")
        let payload = Base64URL.decode(pair.access.split(separator: ".")[1])!
        // Foundation reads what we wrote as the same claims.
        let foundation = try JSONDecoder().decode(TokenClaims.self, from: payload)
        let ours = try await tokens.verify(pair.access, expecting: .access)
        #expect(foundation == ours)
        #expect(ours.iss == awkward && ours.aud?.value == ["aud\"ience"] && ours.userId == 9_007_199_254_740_991)
        let keys = try JSONSerialization.jsonObject(with: payload) as! [String: Any]
        #expect(Set(keys.keys) == ["aal", "amr", "aud", "exp", "iat", "iss", "jti", "sid", "token_type", "user_id"])
        #expect(keys["aal"] as? Int == 1 && keys["amr"] as? [String] == ["pwd"], "a password login by default")
        // Keys sorted, as JSONEncoder's .sortedKeys wrote them before.
        let text = String(decoding: payload, as: UTF8.self)
        let order = ["\"aal\"", "\"amr\"", "\"aud\"", "\"exp\"", "\"iat\"", "\"iss\"", "\"jti\"", "\"sid\"", "\"token_type\"", "\"user_id\""]
            .map { text.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
    }

    @Test("Claims of the wrong JSON type fail the token")
    func claimJSONTypes() async throws {
        let tokens = await service()
        let now = Int(clock.now().timeIntervalSince1970)
        for bad in [claims(exp: "\(now + 60).5"), claims(exp: #""\#(now + 60)""#), claims(userId: "1.5"), claims(userId: "null"),
                    claims(type: "other"), claims(userId: "9007199254740993"),
                    #"{"token_type":"access","exp":\#(now + 60),"iat":\#(now),"jti":"a","user_id":1,"sid":"s","nbf":null}"#,
                    #"{"token_type":"access","exp":\#(now + 60),"iat":\#(now),"jti":"a","user_id":1,"sid":"s","aud":[1]}"#,
                    #"{"token_type":"access","exp":\#(now + 60),"iat":\#(now),"jti":"a","sid":"s"}"#, "[1]", "{",
                    #"{"token_type":"access","exp":\#(now + 60),"iat":\#(now),"jti":"a","user_id":1,"sid":"s","aal":"2"}"#,
                    #"{"token_type":"access","exp":\#(now + 60),"iat":\#(now),"jti":"a","user_id":1,"sid":"s","amr":"pwd"}"#,
                    #"{"token_type":"access","exp":\#(now + 60),"iat":\#(now),"jti":"a","user_id":1,"sid":"s","amr":[1]}"#] {
            await #expect(throws: TokenError.invalidClaims, "\(bad)") { try await tokens.verify(craft(claims: bad)) }
        }
        #expect(try await tokens.verify(craft(claims: claims(exp: "\(now + 60).0"))).exp == now + 60)
        // A level is read back as written; a token without one counts as a password login.
        let raised = try await tokens.issue(userId: 3, sessionId: "s", level: SessionLevel(aal: 2, amr: ["pwd", "otp"]))
        #expect(try await tokens.verify(raised.access).level == SessionLevel(aal: 2, amr: ["pwd", "otp"]))
        #expect(try await tokens.verify(craft(claims: claims())).level == .password)
    }

    @Test("Wrong type is refused both ways")
    func wrongType() async throws {
        let tokens = await service()
        let pair = try await tokens.issue(userId: 1, sessionId: "s")
        await #expect(throws: TokenError.wrongType) { try await tokens.verify(pair.access, expecting: .refresh) }
        await #expect(throws: TokenError.wrongType) { try await tokens.verify(pair.refresh, expecting: .access) }
    }

    @Test("Expiry follows the injected clock, with a small leeway")
    func expiry() async throws {
        let tokens = await service()
        let pair = try await tokens.issue(userId: 1, sessionId: "s")
        clock.advance(by: 300)
        _ = try await tokens.verify(pair.access)
        clock.advance(by: 1)
        await #expect(throws: TokenError.expired) { try await tokens.verify(pair.access) }
        _ = try await tokens.verify(pair.refresh)
    }

    @Test("Forged, tampered, alg none, other algorithms, missing typ, other key: refused")
    func forgeries() async throws {
        let tokens = await service()
        let pair = try await tokens.issue(userId: 1, sessionId: "s")
        let parts = pair.access.split(separator: ".").map(String.init)
        let tamperedClaims = Base64URL.encode(Array(claims(userId: "2").utf8))
        await #expect(throws: TokenError.badSignature) { try await tokens.verify(parts[0] + "." + tamperedClaims + "." + parts[2]) }
        await #expect(throws: TokenError.algorithmNotAllowed) {
            try await tokens.verify(Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + ".x")
        }
        await #expect(throws: TokenError.malformed) {
            try await tokens.verify(Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + ".")
        }
        await #expect(throws: TokenError.algorithmNotAllowed) { try await tokens.verify(craft(header: #"{"alg":"HS512","typ":"JWT"}"#, claims: claims())) }
        await #expect(throws: TokenError.algorithmNotAllowed) { try await tokens.verify(craft(header: #"{"alg":"HS256"}"#, claims: claims())) }
        await #expect(throws: TokenError.algorithmNotAllowed) { try await tokens.verify(craft(header: #"{"alg":"RS256","typ":"JWT"}"#, claims: claims())) }
        await #expect(throws: TokenError.badSignature) { try await tokens.verify(craft(claims: claims(), secret: "another-secret-another-secret-another")) }
        for garbage in ["", "a", "a.b", "a.b.c", "....", String(repeating: "A", count: 5_000), "e30.e30.e30"] {
            await #expect(throws: TokenError.self) { try await tokens.verify(garbage) }
        }
    }

    @Test("Claims of the wrong type or out of range make the token invalid")
    func claimTypes() async throws {
        let tokens = await service()
        let now = Int(clock.now().timeIntervalSince1970)
        for bad in [
            claims(exp: "\"\(now + 60)\""), claims(exp: "253402300800"), claims(exp: "1e30"), claims(exp: "\(now).5"),
            claims(userId: "\"1\""), claims(userId: "1.5"), claims(userId: "0"), claims(userId: "-3"), claims(type: "other"),
            claims(iat: "\(now + 3_600)"), claims(exp: "null"),
        ] {
            await #expect(throws: TokenError.self, "\(bad)") { try await tokens.verify(craft(claims: bad)) }
        }
    }

    @Test("Key rotation: a kid header names the key; previous keys verify, unknown ones do not")
    func rotation() async throws {
        let oldKey = "old-secret-old-secret-old-secret-0000"
        let old = await service(secret: oldKey)
        let oldPair = try await old.issue(userId: 3, sessionId: "s")
        let header = String(decoding: Base64URL.decode(oldPair.access.split(separator: ".")[0])!, as: UTF8.self)
        #expect(header.contains("\"kid\":\"\(TokenService.keyID(oldKey))\""))
        let rotated = await TokenService(secretKey: testSecret, previousKeys: [oldKey],
                                         accessTTL: 300, refreshTTL: 86_400, clock: clock, random: SecureRandom())
        #expect(try await rotated.verify(oldPair.access).userId == 3)
        let newPair = try await rotated.issue(userId: 4, sessionId: "s")
        #expect(newPair.access.split(separator: ".")[0] != oldPair.access.split(separator: ".")[0])
        #expect(try await service().verify(newPair.access).userId == 4)
        // Once the old key is dropped, its tokens stop verifying.
        await #expect(throws: TokenError.badSignature) { try await service().verify(oldPair.access) }
        // A kid that names no key of ours is refused even with a valid signature under the current key.
        let unknownKid = craft(header: #"{"alg":"HS256","kid":"nope","typ":"JWT"}"#, claims: claims())
        await #expect(throws: TokenError.badSignature) { try await service().verify(unknownKid) }
    }

    @Test("iss and aud are set and checked when configured")
    func issuerAndAudience() async throws {
        let strict = await TokenService(secretKey: testSecret, accessTTL: 300, refreshTTL: 600, clock: clock,
                                        random: SecureRandom(), issuer: "auth.example", audience: "api.example")
        let pair = try await strict.issue(userId: 1, sessionId: "s")
        let verified = try await strict.verify(pair.access)
        #expect(verified.iss == "auth.example" && verified.aud?.value == ["api.example"])
        let otherIssuer = await TokenService(secretKey: testSecret, accessTTL: 300, refreshTTL: 600, clock: clock,
                                             random: SecureRandom(), issuer: "evil.example", audience: "api.example")
        let foreign = try await otherIssuer.issue(userId: 1, sessionId: "s").access
        await #expect(throws: TokenError.invalidClaims) { try await strict.verify(foreign) }
        let noAudience = await TokenService(secretKey: testSecret, accessTTL: 300, refreshTTL: 600, clock: clock,
                                            random: SecureRandom(), issuer: "auth.example")
        let unaddressed = try await noAudience.issue(userId: 1, sessionId: "s").access
        await #expect(throws: TokenError.invalidClaims) { try await strict.verify(unaddressed) }
        // A token that carries an audience list verifies when ours is in it.
        let base = claims()
        let listed = craft(claims: String(base.dropLast()) + #","iss":"auth.example","aud":["x","api.example"]}"#)
        #expect(try await strict.verify(listed).userId == 1)
    }

    @Test("A token issued in the future beyond the replicas' tolerated clock skew is refused")
    func futureIat() async throws {
        let tokens = await service()
        let now = Int(clock.now().timeIntervalSince1970)
        _ = try await tokens.verify(craft(claims: claims(iat: "\(now + 1)")))
        _ = try await tokens.verify(craft(claims: claims(iat: "\(now + Int(ClockSkew.tolerated))")))
        await #expect(throws: TokenError.invalidClaims) {
            try await tokens.verify(craft(claims: claims(iat: "\(now + Int(ClockSkew.tolerated) + 1)")))
        }
    }
}

/// HMAC-SHA256 through swift-crypto, for crafting tokens by hand.
enum HMACSHA256 {
    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        CodeHasherTestBridge.hmac(key: key, message: message)
    }
}

@Suite("JWT registered claims (RFC 7519, RFC 8725)")
struct RegisteredClaimsTests {
    let clock = ManualClock()
    let base = TokenServiceTests()

    func service(audience: String? = nil) async -> TokenService {
        await TokenService(secretKey: testSecret, accessTTL: 300, refreshTTL: 86_400, clock: clock, random: SecureRandom(),
                           audience: audience)
    }

    /// `claims()` of the base suite with extra members appended.
    func claims(_ extra: String) -> String {
        let now = Int(clock.now().timeIntervalSince1970)
        return #"{"token_type":"access","exp":\#(now + 60),"iat":\#(now),"jti":"abc","user_id":1,"sid":"s1"\#(extra)}"#
    }

    @Test("nbf in the future beyond the leeway is refused; at the leeway or past it verifies")
    func notBefore() async throws {
        let tokens = await service()
        let now = Int(clock.now().timeIntervalSince1970)
        await #expect(throws: TokenError.notYetValid) { try await tokens.verify(base.craft(claims: claims(#","nbf":\#(now + 60)"#))) }
        await #expect(throws: TokenError.notYetValid) { try await tokens.verify(base.craft(claims: claims(#","nbf":\#(now + 2)"#))) }
        #expect(try await tokens.verify(base.craft(claims: claims(#","nbf":\#(now + 1)"#))).nbf == Int64(now + 1))
        #expect(try await tokens.verify(base.craft(claims: claims(#","nbf":\#(now - 100)"#))).userId == 1)
        // The same token becomes valid once the clock reaches it.
        let later = base.craft(claims: claims(#","nbf":\#(now + 30)"#))
        await #expect(throws: TokenError.notYetValid) { try await tokens.verify(later) }
        clock.advance(by: 30)
        #expect(try await tokens.verify(later).userId == 1)
    }

    @Test("nbf of the wrong type or out of range makes the token invalid")
    func notBeforeTypes() async throws {
        let tokens = await service()
        for bad in [#","nbf":"0""#, #","nbf":null"#, #","nbf":-1"#, #","nbf":253402300800"#, #","nbf":1.5"#, #","nbf":true"#] {
            await #expect(throws: TokenError.self, "\(bad)") { try await tokens.verify(base.craft(claims: claims(bad))) }
        }
    }

    @Test("Every required claim must be present")
    func presence() async throws {
        let tokens = await service()
        let now = Int(clock.now().timeIntervalSince1970)
        let members = [#""token_type":"access""#, #""exp":\#(now + 60)"#, #""iat":\#(now)"#, #""jti":"abc""#, #""user_id":1"#, #""sid":"s1""#]
        for missing in members.indices {
            let body = "{" + members.enumerated().filter { $0.offset != missing }.map(\.element).joined(separator: ",") + "}"
            await #expect(throws: TokenError.self, "\(body)") { try await tokens.verify(base.craft(claims: body)) }
        }
        #expect(try await tokens.verify(base.craft(claims: "{" + members.joined(separator: ",") + "}")).userId == 1)
    }

    @Test("An audience is refused when none is expected; iss and aud must have their types")
    func audienceAndIssuerTypes() async throws {
        let tokens = await service()
        await #expect(throws: TokenError.invalidClaims) { try await tokens.verify(base.craft(claims: claims(#","aud":"api.example""#))) }
        await #expect(throws: TokenError.self) { try await tokens.verify(base.craft(claims: claims(#","iss":5"#))) }
        await #expect(throws: TokenError.self) { try await tokens.verify(base.craft(claims: claims(#","iss":null"#))) }
        await #expect(throws: TokenError.self) { try await tokens.verify(base.craft(claims: claims(#","aud":null"#))) }
        let strict = await service(audience: "api.example")
        await #expect(throws: TokenError.self) { try await strict.verify(base.craft(claims: claims(#","aud":7"#))) }
        #expect(try await strict.verify(base.craft(claims: claims(#","aud":"api.example""#))).userId == 1)
    }

    @Test("Headers that bring their own key or critical extensions are refused", arguments: [
        #"{"alg":"HS256","typ":"JWT","jwk":{"kty":"oct","k":"AAAA"}}"#,
        #"{"alg":"HS256","typ":"JWT","jku":"https://evil.example/jwks.json"}"#,
        #"{"alg":"HS256","typ":"JWT","x5u":"https://evil.example/cert.pem"}"#,
        #"{"alg":"HS256","typ":"JWT","x5c":["MIIB"]}"#,
        #"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#,
        #"{"alg":"HS256","typ":"JWT","crit":"b64"}"#,
        #"{"alg":"HS256","typ":"JWT","jwk":null}"#,
        #"{"alg":"HS256","typ":"JWT","crit":null}"#,
    ])
    func foreignKeyHeaders(_ header: String) async throws {
        let tokens = await service()
        await #expect(throws: TokenError.algorithmNotAllowed) { try await tokens.verify(base.craft(header: header, claims: claims(""))) }
    }
}
