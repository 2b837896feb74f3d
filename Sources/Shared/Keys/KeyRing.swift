import Foundation
import JWTKit
import Logging
import Synchronization

/// The signing keys of one API process as of its last look at the database: the current key's
/// signer, a verifier for each current or previous key, and the JWKS document, rebuilt every
/// `AUTH_KEYS_REFRESH` seconds (`refresh`). Requests read it under a lock, never the database,
/// except in one case: a token naming a key this process still knows as standby was signed by a
/// replica that has seen the activation already, so that key's row is read again at once.
public final class KeyRing: Sendable {
    public struct Signer: Sendable {
        public let kid: String
        /// The token header for this key, base64url.
        public let encodedHeader: String
        let algorithm: any JWTAlgorithm
    }

    struct Snapshot: Sendable {
        var signer: Signer?
        /// Current and previous keys.
        var verifiers: [String: any JWTAlgorithm] = [:]
        var states: [String: SigningKey.State] = [:]
        /// Verifiers already built, by kid (a key's public part never changes).
        var built: [String: any JWTAlgorithm] = [:]
        var jwks: [UInt8] = Array(#"{"keys":[]}"#.utf8)
        /// The published JWKs, in JWKS order, for a document that merges several rings.
        var published: [String] = []
        var lastLookup = Date.distantPast
    }

    public let algorithm: SigningAlgorithm
    let store: any KeyStore
    let sealer: KeySealer
    let clock: any AuthClock
    private let snapshot = Mutex(Snapshot())

    public init(algorithm: SigningAlgorithm, store: any KeyStore, sealer: KeySealer, clock: any AuthClock) {
        self.algorithm = algorithm
        self.store = store
        self.sealer = sealer
        self.clock = clock
    }

    public var signer: Signer? { snapshot.withLock { $0.signer } }

    /// `{"keys": [...]}`: every published key of the configured algorithm, current first.
    public var jwks: [UInt8] { snapshot.withLock { $0.jwks } }

    public var kids: [String: SigningKey.State] { snapshot.withLock { $0.states } }

    /// One JWKS for several rings (the account tokens' algorithm and the OpenID Provider's
    /// RS256): their published keys, each ring's in its own order, a ring given twice once.
    public static func jwks(_ rings: [KeyRing]) -> [UInt8] {
        if rings.count == 1 { return rings[0].jwks }
        var seen = Set<ObjectIdentifier>()
        let documents = rings.filter { seen.insert(ObjectIdentifier($0)).inserted }.flatMap { ring in ring.snapshot.withLock { $0.published } }
        return Array(("{\"keys\":[" + documents.joined(separator: ",") + "]}").utf8)
    }

    /// The verifier of a current or previous key; for a key known as standby, its row is read
    /// again (at most once a second, so that forged headers cannot make every request a query).
    func verifier(kid: String) async -> (any JWTAlgorithm)? {
        let (found, standby) = snapshot.withLock { ($0.verifiers[kid], $0.states[kid] == .standby) }
        if let found { return found }
        guard standby else { return nil }
        let now = clock.now()
        let due = snapshot.withLock { state -> Bool in
            guard now.timeIntervalSince(state.lastLookup) >= 1 else { return false }
            state.lastLookup = now
            return true
        }
        guard due, let key = try? await store.signingKey(kid: kid), key.state.verifies else { return nil }
        try? await refresh()
        return snapshot.withLock { $0.verifiers[kid] }
    }

    /// Reads every key again and rebuilds the snapshot; keys of another algorithm are ignored
    /// (their tokens name another `alg` and are refused anyway).
    public func refresh() async throws {
        let keys = try await store.signingKeys().filter { $0.algorithm == algorithm }
        let (built, oldSigner) = snapshot.withLock { ($0.built, $0.signer) }
        var next = Snapshot()
        next.lastLookup = snapshot.withLock { $0.lastLookup }
        var documents: [String] = []
        for key in keys.sorted(by: { Self.order($0) < Self.order($1) }) where key.state.isPublished {
            next.states[key.kid] = key.state
            documents.append(key.publicJWK)
            let verifier: any JWTAlgorithm
            if let cached = built[key.kid] {
                verifier = cached
            } else {
                verifier = try await KeyMaterial.verifier(publicJWK: key.publicJWK, kid: key.kid)
            }
            next.built[key.kid] = verifier
            if key.state.verifies { next.verifiers[key.kid] = verifier }
            if key.state == .current {
                if let oldSigner, oldSigner.kid == key.kid {
                    next.signer = oldSigner
                } else {
                    let pem = String(decoding: try sealer.open(key.sealedPrivateKey, kid: key.kid), as: UTF8.self)
                    let material = try KeyMaterial.load(pem: pem, algorithm: key.algorithm)
                    next.signer = Signer(
                        kid: key.kid,
                        encodedHeader: Base64URL.encode(Array(#"{"alg":"\#(algorithm.jwtName)","kid":"\#(key.kid)","typ":"JWT"}"#.utf8)),
                        algorithm: try await material.signer(kid: key.kid))
                }
            }
        }
        next.jwks = Array(("{\"keys\":[" + documents.joined(separator: ",") + "]}").utf8)
        next.published = documents
        snapshot.withLock { $0 = next }
    }

    /// JWKS order: current, standby (next), previous.
    static func order(_ key: SigningKey) -> Int {
        switch key.state {
        case .current: return 0
        case .standby: return 1
        case .previous: return 2
        case .revoked: return 3
        }
    }
}
