import Foundation
import JWTKit
import Testing
@testable import Shared

extension StorageConformance {
    /// Signing keys on every backend: the state machine, one current key by the database's own
    /// rule, sealing at rest, and what the key ring and token service make of them.
    @Suite("Signing key storage conformance", .serialized)
    struct SigningKeyStorageTests {
        typealias C = Conformance

        static func management(_ db: any AuthBackend, _ algorithm: SigningAlgorithm = .es256, clock: ManualClock,
                               secret: String = testSecret) -> KeyManagement {
            KeyManagement(store: db, sealer: KeySealer(secretKey: secret), algorithm: algorithm, jwksMaxAge: 600, clock: clock)
        }

        @Test("The kid is the RFC 7638 thumbprint (the RFC's own example key)")
        func thumbprint() {
            let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
            let material = KeyMaterial(algorithm: .rs256, privatePEM: "", publicMembers: [("e", "AQAB"), ("kty", "RSA"), ("n", n)])
            #expect(material.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        }

        @Test("A generated kid never begins with '-' (it would read as an option on the command line)")
        func kidIsNotAnOption() throws {
            // One thumbprint in 64 begins with '-': without the redraw, 640 keys all passing has odds of 4e-5.
            for _ in 0..<640 {
                let material = try KeyMaterial.generate(.edDSA)
                #expect(!material.thumbprint.hasPrefix("-"), "\(material.thumbprint)")
            }
        }

        @Test("standby -> current -> previous -> revoked, with every refusal", arguments: TestStore.available)
        func stateMachine(store: TestStore) async throws {
            let db = try await store.openFresh()
            let clock = ManualClock(C.t0)
            let keys = Self.management(db, clock: clock)
            let first = try await keys.ensureCurrent()[0]
            #expect(first.state == .current && first.activatedAt == C.t0)
            #expect(try await keys.ensureCurrent().map(\.kid) == [first.kid], "a second start keeps the key")

            clock.advance(by: 10)
            let second = try await keys.generate()
            #expect(second.state == .standby && second.kid != first.kid)
            #expect(try await keys.activate(kid: second.kid, force: false)
                    == .refused(.publishedTooRecently(kid: second.kid, seconds: 0, needed: 600)))
            clock.advance(by: 599)
            #expect(try await keys.activate(kid: second.kid, force: false)
                    == .refused(.publishedTooRecently(kid: second.kid, seconds: 599, needed: 600)))
            clock.advance(by: 1)
            #expect(try await keys.activate(kid: second.kid, force: false) == .done(previous: first.kid))
            let states = Dictionary(uniqueKeysWithValues: try await keys.list().map { ($0.kid, $0) })
            #expect(states[first.kid]?.state == .previous && states[first.kid]?.retiredAt == C.at(610))
            #expect(states[second.kid]?.state == .current && states[second.kid]?.activatedAt == C.at(610))

            #expect(try await keys.activate(kid: first.kid, force: true) == .refused(.notStandby(kid: first.kid, state: .previous)))
            #expect(try await keys.activate(kid: second.kid, force: true) == .refused(.notStandby(kid: second.kid, state: .current)))
            #expect(try await keys.revoke(kid: second.kid) == .refused(.revokingCurrent(second.kid)))
            #expect(try await keys.activate(kid: "nope", force: true) == .refused(.unknownKid("nope")))
            #expect(try await keys.revoke(kid: "nope") == .refused(.unknownKid("nope")))
            #expect(try await keys.revoke(kid: first.kid) == .done(previous: nil))
            #expect(try await keys.revoke(kid: first.kid) == .refused(.alreadyRevoked(first.kid)))
            let third = try await keys.generate()
            #expect(try await keys.revoke(kid: third.kid) == .done(previous: nil), "a standby key can be withdrawn")
            #expect(try await keys.activate(kid: third.kid, force: true) == .refused(.notStandby(kid: third.kid, state: .revoked)))
            #expect(try await keys.list().filter { $0.state == .current }.map(\.kid) == [second.kid])

            // A key of another algorithm is neither activated nor used to start.
            let eddsa = Self.management(db, .edDSA, clock: clock)
            await #expect(throws: KeyError.wrongAlgorithm(kid: second.kid, key: .es256, configured: .edDSA)) {
                try await eddsa.ensureCurrent()
            }
            let other = try await eddsa.generate()
            #expect(try await keys.activate(kid: other.kid, force: true)
                    == .refused(.wrongAlgorithm(kid: other.kid, key: .edDSA, configured: .es256)))
            await db.close()
        }

        @Test("One current key is the database's rule: a second insert fails, racing first starts agree", arguments: TestStore.available)
        func oneCurrent(store: TestStore) async throws {
            let db = try await store.openFresh()
            let other = try await C.secondPool(db)
            let clock = ManualClock(C.t0)
            // Two processes start at once on an empty table: both try, one key wins, both use it.
            async let a = Self.management(db, clock: clock).ensureCurrent()
            async let b = Self.management(other, clock: clock).ensureCurrent()
            let (first, second) = try await (a, b)
            #expect(first.map(\.kid) == second.map(\.kid) && first.count == 1)
            #expect(try await db.signingKeys().filter { $0.state == .current }.count == 1)

            let material = try KeyMaterial.generate(.es256)
            let rogue = SigningKey(kid: material.thumbprint, algorithm: .es256, state: .current, publicJWK: material.publicJWK(kid: material.thumbprint),
                                   sealedPrivateKey: [1, 2, 3], createdAt: C.t0)
            await #expect(throws: StorageError.uniqueViolation) { try await db.insertSigningKey(rogue) }
            await other.close()
            await db.close()
        }

        @Test("The OpenID Provider's RS256 keys sit beside the account keys: one current per algorithm, rotation within an algorithm, one JWKS",
              arguments: TestStore.available)
        func providerKeys(store: TestStore) async throws {
            let db = try await store.openFresh()
            let clock = ManualClock(C.t0)
            let keys = KeyManagement(store: db, sealer: KeySealer(secretKey: testSecret), algorithm: .es256, providerAlgorithm: .rs256,
                                     jwksMaxAge: 600, clock: clock)
            #expect(keys.algorithmsInUse == [.es256, .rs256])
            let current = try await keys.ensureCurrent()
            #expect(current.map(\.algorithm) == [.es256, .rs256] && current.allSatisfy { $0.state == .current })
            #expect(try await keys.ensureCurrent().map(\.kid) == current.map(\.kid), "a second start keeps both")

            // Rotating the provider's key leaves the account key current.
            let standby = try await keys.generate(algorithm: .rs256)
            #expect(try await keys.activate(kid: standby.kid, force: true) == .done(previous: current[1].kid))
            let states = Dictionary(uniqueKeysWithValues: try await keys.list().map { ($0.kid, $0.state) })
            #expect(states == [current[0].kid: .current, current[1].kid: .previous, standby.kid: .current])
            await #expect(throws: KeyError.algorithmNotInUse(.edDSA)) { try await keys.generate(algorithm: .edDSA) }

            // HS256 account tokens with the provider on: the RS256 key alone; turning the provider
            // off later does not refuse the start (its key is not an account key).
            let hs = KeyManagement(store: db, sealer: KeySealer(secretKey: testSecret), algorithm: .hs256, providerAlgorithm: .rs256,
                                   jwksMaxAge: 600, clock: clock)
            #expect(hs.algorithmsInUse == [.rs256])
            #expect(try await hs.ensureCurrent().map(\.kid) == [standby.kid])

            // One document for both rings: the account keys, then the provider's.
            let es = KeyRing(algorithm: .es256, store: db, sealer: KeySealer(secretKey: testSecret), clock: clock)
            let rs = KeyRing(algorithm: .rs256, store: db, sealer: KeySealer(secretKey: testSecret), clock: clock)
            try await es.refresh()
            try await rs.refresh()
            let document = try JSONSerialization.jsonObject(with: Data(KeyRing.jwks([es, rs]))) as? [String: [[String: String]]]
            let published = document?["keys"]?.map { ($0["kid"] ?? "", $0["alg"] ?? "") } ?? []
            #expect(published.map(\.0) == [current[0].kid, standby.kid, current[1].kid])
            #expect(published.map(\.1) == ["ES256", "RS256", "RS256"])
            #expect(KeyRing.jwks([rs, rs]) == rs.jwks, "a ring given twice (RS256 for both) is published once")
            await db.close()
        }

        @Test("Private keys are sealed: no PEM, DER or key bytes in any column or database file; the wrong secret cannot open them",
              arguments: TestStore.available)
        func sealedAtRest(store: TestStore) async throws {
            let db = try await store.openFresh()
            let clock = ManualClock(C.t0)
            var secrets: [[UInt8]] = []
            for algorithm in [SigningAlgorithm.es256, .edDSA, .rs256] {
                let keys = Self.management(db, algorithm, clock: clock)
                let key = try await keys.generate()
                let pem = String(decoding: try KeySealer(secretKey: testSecret).open(key.sealedPrivateKey, kid: key.kid), as: UTF8.self)
                #expect(pem.hasPrefix("-----BEGIN"))
                let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
                let der = try #require(Data(base64Encoded: body))
                secrets.append(Array(body.utf8))
                // A run of the DER from its middle, past the algorithm identifiers every key shares.
                secrets.append(Array(der[(der.count / 2)..<(der.count / 2 + 24)]))
                // The stored row: the public JWK has no private member, the sealed bytes are not the PEM.
                let stored = try #require(try await db.signingKey(kid: key.kid))
                #expect(!stored.publicJWK.contains(#""d""#) && !stored.publicJWK.contains(#""p""#))
                #expect(!Self.contains(stored.sealedPrivateKey, Array(der[(der.count / 2)..<(der.count / 2 + 24)])))
                // Another secret, or the sealed bytes under another kid, do not open.
                #expect(throws: KeyError.cannotOpen(kid: key.kid)) {
                    try KeySealer(secretKey: "another-secret-key-0123456789-abcdefghijklmnop").open(stored.sealedPrivateKey, kid: key.kid)
                }
                #expect(throws: KeyError.cannotOpen(kid: "other")) { try KeySealer(secretKey: testSecret).open(stored.sealedPrivateKey, kid: "other") }
                var tampered = stored.sealedPrivateKey
                tampered[tampered.count / 2] ^= 1
                #expect(throws: KeyError.cannotOpen(kid: key.kid)) { try KeySealer(secretKey: testSecret).open(tampered, kid: key.kid) }
            }
            if let sqlite = db as? AppDatabase {
                try await sqlite.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
                for suffix in ["", "-wal", "-shm"] {
                    guard let file = FileManager.default.contents(atPath: sqlite.path + suffix) else { continue }
                    for secret in secrets { #expect(!Self.contains(Array(file), secret), "secret bytes in \(suffix)") }
                }
            } else if let postgres = db as? PostgresBackend {
                let texts = try await postgres.query(SQLStatement("SELECT public_jwk, kid, algorithm, state FROM signing_keys"))
                #expect(texts.count == 3)
                for row in texts {
                    for column in ["public_jwk", "kid", "algorithm", "state"] {
                        let text = Array(try row.text(column).utf8)
                        for secret in secrets { #expect(!Self.contains(text, secret)) }
                    }
                }
            }
            await db.close()
        }

        static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard needle.count <= haystack.count else { return false }
            return haystack.withUnsafeBufferPointer { hay in
                (0...(hay.count - needle.count)).contains { start in
                    hay[start] == needle[0] && needle.indices.allSatisfy { hay[start + $0] == needle[$0] }
                }
            }
        }

        @Test("Key ring and tokens: signed by the current key, previous verifies, revoked and confused tokens do not",
              arguments: TestStore.available)
        func ringAndTokens(store: TestStore) async throws {
            let db = try await store.openFresh()
            let clock = ManualClock(Date())
            let keys = Self.management(db, .es256, clock: clock)
            let first = try await keys.ensureCurrent()[0]
            let ring = KeyRing(algorithm: .es256, store: db, sealer: KeySealer(secretKey: testSecret), clock: clock)
            try await ring.refresh()
            // A second replica's ring on the same database.
            let replica = KeyRing(algorithm: .es256, store: db, sealer: KeySealer(secretKey: testSecret), clock: clock)
            try await replica.refresh()
            let tokens = TokenService(keyRing: ring, accessTTL: 300, refreshTTL: 600, clock: clock, random: SecureRandom())
            let other = TokenService(keyRing: replica, accessTTL: 300, refreshTTL: 600, clock: clock, random: SecureRandom())
            let old = try await tokens.issue(userId: 7, sessionId: "s")
            #expect(try await other.verify(old.access).userId == 7)

            // The JWKS: the current key, and a standby one as soon as it is generated (after a refresh).
            let next = try await keys.generate()
            try await ring.refresh()
            try await replica.refresh()
            let document = try JSONSerialization.jsonObject(with: Data(ring.jwks)) as? [String: [[String: String]]]
            #expect(document?["keys"]?.map { $0["kid"] } == [first.kid, next.kid])

            // Activated through another process: the replica still knows the key as standby, and a
            // token of it is checked against the database at once instead of being refused.
            #expect(try await keys.activate(kid: next.kid, force: true) == .done(previous: first.kid))
            try await ring.refresh()
            let fresh = try await tokens.issue(userId: 8, sessionId: "s2")
            #expect(try TokenForgeHeader.kid(fresh.access) == next.kid)
            #expect(try await other.verify(fresh.access).userId == 8)
            #expect(try await tokens.verify(old.access).userId == 7, "previous keys verify")

            // Revoked: refused once the ring has read it.
            #expect(try await keys.revoke(kid: first.kid) == .done(previous: nil))
            #expect(try await tokens.verify(old.access).userId == 7, "within AUTH_KEYS_REFRESH")
            try await ring.refresh()
            await #expect(throws: TokenError.badSignature) { try await tokens.verify(old.access) }

            // Confusion: the public key's bytes as an HMAC secret, another alg, no kid, unknown kid.
            let jwk = try #require(try await db.signingKey(kid: next.kid)?.publicJWK)
            let parts = fresh.access.split(separator: ".")
            let payload = String(parts[1])
            func hs256(_ header: String, secret: String) async throws -> String {
                let collection = JWTKeyCollection()
                await collection.add(hmac: HMACKey(from: Array(secret.utf8)), digestAlgorithm: .sha256)
                let input = Base64URL.encode(Array(header.utf8)) + "." + payload
                return input + "." + Base64URL.encode(try await collection.getKey().sign(Array(input.utf8)))
            }
            await #expect(throws: TokenError.algorithmNotAllowed) {
                try await tokens.verify(try await hs256(#"{"alg":"HS256","kid":"\#(next.kid)","typ":"JWT"}"#, secret: jwk))
            }
            for header in [#"{"alg":"ES384","kid":"\#(next.kid)","typ":"JWT"}"#, #"{"alg":"none","typ":"JWT"}"#,
                           #"{"alg":"ES256","kid":"\#(next.kid)","typ":"JWT","jku":"https://evil.example"}"#,
                           #"{"alg":"ES256","kid":"\#(next.kid)"}"#] {
                let token = Base64URL.encode(Array(header.utf8)) + "." + parts[1] + "." + parts[2]
                await #expect(throws: TokenError.algorithmNotAllowed, "\(header)") { try await tokens.verify(token) }
            }
            for header in [#"{"alg":"ES256","typ":"JWT"}"#, #"{"alg":"ES256","kid":"unknown","typ":"JWT"}"#] {
                let token = Base64URL.encode(Array(header.utf8)) + "." + parts[1] + "." + parts[2]
                await #expect(throws: TokenError.badSignature, "\(header)") { try await tokens.verify(token) }
            }
            await db.close()
        }
    }
}

enum TokenForgeHeader {
    static func kid(_ token: String) throws -> String? {
        let header = try JSONSerialization.jsonObject(with: Base64URL.decode(token.split(separator: ".")[0]) ?? Data()) as? [String: Any]
        return header?["kid"] as? String
    }
}
