import Foundation

/// What `AuthAPI keys` and the first start do with signing keys: generate, activate, revoke,
/// list. The state rules are the store's (`SigningKeyRules`); here keys are made and sealed.
public struct KeyManagement: Sendable {
    let store: any KeyStore
    let sealer: KeySealer
    public let algorithm: SigningAlgorithm
    /// `AUTH_JWKS_MAX_AGE`: how long a standby key must have been published before it signs.
    let jwksMaxAge: TimeInterval
    let clock: any AuthClock

    public init(store: any KeyStore, sealer: KeySealer, algorithm: SigningAlgorithm, jwksMaxAge: TimeInterval, clock: any AuthClock) {
        self.store = store
        self.sealer = sealer
        self.algorithm = algorithm
        self.jwksMaxAge = jwksMaxAge
        self.clock = clock
    }

    public func list() async throws -> [SigningKey] {
        try await store.signingKeys()
    }

    /// A new key of the configured algorithm, standby (published, not signing) unless `current`
    /// is asked for (the first key).
    @discardableResult
    public func generate(current: Bool = false) async throws -> SigningKey {
        guard algorithm.isAsymmetric else { throw KeyError.notAsymmetric }
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

    /// The first start: with no current key, one is generated and made current. Replicas that
    /// start together race on the database's one-current index; the losers use the winner's key.
    /// A current key of another algorithm is refused: the operator rotates to a new one.
    public func ensureCurrent() async throws -> SigningKey {
        if let current = try await store.signingKeys().first(where: { $0.state == .current }) {
            guard current.algorithm == algorithm else {
                throw KeyError.wrongAlgorithm(kid: current.kid, key: current.algorithm, configured: algorithm)
            }
            return current
        }
        do {
            return try await generate(current: true)
        } catch StorageError.uniqueViolation {
            guard let current = try await store.signingKeys().first(where: { $0.state == .current }) else { throw StorageError.uniqueViolation }
            return current
        }
    }

    public func activate(kid: String, force: Bool) async throws -> KeyChange {
        guard let key = try await store.signingKey(kid: kid) else { return .refused(.unknownKid(kid)) }
        guard key.algorithm == algorithm else { return .refused(.wrongAlgorithm(kid: kid, key: key.algorithm, configured: algorithm)) }
        return try await store.activateSigningKey(kid: kid, now: clock.now(), minimumPublished: force ? nil : jwksMaxAge)
    }

    public func revoke(kid: String) async throws -> KeyChange {
        try await store.revokeSigningKey(kid: kid, now: clock.now())
    }
}
