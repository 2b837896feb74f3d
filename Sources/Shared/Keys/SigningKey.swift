import Foundation

/// One asymmetric signing key as the database keeps it: the public JWK in clear (it is
/// published), the private key only sealed (`KeySealer`).
public struct SigningKey: Sendable, Equatable {
    /// standby (published, not signing) → current (signs; exactly one) → previous (verifies
    /// until its tokens expire) → revoked (neither published nor accepted).
    public enum State: String, Sendable, Codable, CaseIterable {
        case standby, current, previous, revoked

        /// Listed in the JWKS.
        public var isPublished: Bool { self != .revoked }
        /// Its signatures are accepted.
        public var verifies: Bool { self == .current || self == .previous }
    }

    /// RFC 7638 thumbprint of the public key.
    public var kid: String
    public var algorithm: SigningAlgorithm
    public var state: State
    /// The public JWK as published (kty, kid, alg, use and the key's public members).
    public var publicJWK: String
    /// `KeySealer`'s output: AES-GCM nonce, ciphertext and tag of the private key's PEM.
    public var sealedPrivateKey: [UInt8]
    public var createdAt: Date
    public var activatedAt: Date?
    public var retiredAt: Date?
    public var revokedAt: Date?

    public init(kid: String, algorithm: SigningAlgorithm, state: State, publicJWK: String, sealedPrivateKey: [UInt8],
                createdAt: Date, activatedAt: Date? = nil, retiredAt: Date? = nil, revokedAt: Date? = nil) {
        self.kid = kid
        self.algorithm = algorithm
        self.state = state
        self.publicJWK = publicJWK
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
        self.activatedAt = activatedAt
        self.retiredAt = retiredAt
        self.revokedAt = revokedAt
    }
}
