/// `AUTH_JWT_ALGORITHM`: how tokens are signed. HS256 uses the bytes of `AUTH_SECRET_KEY`, as
/// simplejwt does with Django's `SECRET_KEY`; the others sign with the current private key of
/// the `signing_keys` table and publish the public keys at `/.well-known/jwks.json`, so that
/// resource servers verify without being able to mint.
public enum SigningAlgorithm: String, Sendable, CaseIterable, Codable {
    case hs256 = "HS256"
    case es256 = "ES256"
    /// Ed25519 (RFC 8037).
    case edDSA = "EdDSA"
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys.
    case rs256 = "RS256"

    /// The `alg` header value.
    public var jwtName: String { rawValue }

    public var isAsymmetric: Bool { self != .hs256 }
}
