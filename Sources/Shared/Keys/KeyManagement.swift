import Foundation

/// What `AuthAPI keys` and the first start do with signing keys: generate, activate, revoke,
/// list. The state rules are the store's (`SigningKeyRules`); here keys are made and sealed.
public struct KeyManagement: Sendable {
    let store: any KeyStore
    let sealer: KeySealer
    /// `AUTH_JWT_ALGORITHM`: the account tokens' algorithm.
    public let algorithm: SigningAlgorithm
    /// RS256 when the OpenID Provider is on: its tokens are RS256 whatever `algorithm` is, from
    /// the same store, with one current key per algorithm (under RS256 one key signs both).
    public let providerAlgorithm: SigningAlgorithm?
    /// `AUTH_JWKS_MAX_AGE`: how long a standby key must have been published before it signs.
    let jwksMaxAge: TimeInterval
    let clock: any AuthClock

    public init(store: any KeyStore, sealer: KeySealer, algorithm: SigningAlgorithm, providerAlgorithm: SigningAlgorithm? = nil,
                jwksMaxAge: TimeInterval, clock: any AuthClock) {
        self.store = store
        self.sealer = sealer
        self.algorithm = algorithm
        self.providerAlgorithm = providerAlgorithm
        self.jwksMaxAge = jwksMaxAge
        self.clock = clock
    }

    /// The asymmetric algorithms whose keys this configuration signs with, the account one first.
    public var algorithmsInUse: [SigningAlgorithm] {
        var used = algorithm.isAsymmetric ? [algorithm] : []
        if let providerAlgorithm, !used.contains(providerAlgorithm) { used.append(providerAlgorithm) }
        return used
    }

    public func list() async throws -> [SigningKey] {
        try await store.signingKeys()
    }

    /// A new key of `algorithm` (default: the account tokens' one, else the provider's), standby
    /// (published, not signing) unless `current` is asked for (the first key). Only an algorithm
    /// in use: a key of another would be published and never sign.
    @discardableResult
    public func generate(algorithm requested: SigningAlgorithm? = nil, current: Bool = false) async throws -> SigningKey {
        guard let algorithm = requested ?? algorithmsInUse.first else { throw KeyError.notAsymmetric }
        guard algorithmsInUse.contains(algorithm) else { throw KeyError.algorithmNotInUse(algorithm) }
        let material = try KeyMaterial.generate(algorithm)
        let kid = material.thumbprint
        let now = clock.now()
        let key = SigningKey(
            kid: kid, algorithm: algorithm, state: current ? .current : .standby, publicJWK: material.publicJWK(kid: kid),
            sealedPrivateKey: try sealer.seal(Array(material.privatePEM.utf8), kid: kid), createdAt: now,
            activatedAt: current ? now : nil)
        try await store.insertSigningKey(key)
        return key
    }

    /// The first start: with no current key of an algorithm in use, one is generated and made
    /// current. Replicas that start together race on the database's one-current-per-algorithm
    /// index; the losers use the winner's key. A current account key of an algorithm no longer
    /// in use, with none of the configured one, is refused: `AUTH_JWT_ALGORITHM` was changed, and
    /// every token in circulation would stop verifying; the operator rotates to a new key instead.
    @discardableResult
    public func ensureCurrent() async throws -> [SigningKey] {
        let keys = try await store.signingKeys()
        if algorithm.isAsymmetric, !keys.contains(where: { $0.state == .current && $0.algorithm == algorithm }),
           let stray = keys.first(where: { $0.state == .current && !algorithmsInUse.contains($0.algorithm) }) {
            throw KeyError.wrongAlgorithm(kid: stray.kid, key: stray.algorithm, configured: algorithm)
        }
        var current: [SigningKey] = []
        for algorithm in algorithmsInUse {
            if let key = keys.first(where: { $0.state == .current && $0.algorithm == algorithm }) {
                current.append(key)
                continue
            }
            do {
                current.append(try await generate(algorithm: algorithm, current: true))
            } catch StorageError.uniqueViolation {
                guard let key = try await store.signingKeys().first(where: { $0.state == .current && $0.algorithm == algorithm })
                else { throw StorageError.uniqueViolation }
                current.append(key)
            }
        }
        return current
    }

    public func activate(kid: String, force: Bool) async throws -> KeyChange {
        guard let key = try await store.signingKey(kid: kid) else { return .refused(.unknownKid(kid)) }
        guard algorithmsInUse.contains(key.algorithm) else {
            return .refused(.wrongAlgorithm(kid: kid, key: key.algorithm, configured: algorithm))
        }
        return try await store.activateSigningKey(kid: kid, now: clock.now(), minimumPublished: force ? nil : jwksMaxAge)
    }

    public func revoke(kid: String) async throws -> KeyChange {
        try await store.revokeSigningKey(kid: kid, now: clock.now())
    }
}
