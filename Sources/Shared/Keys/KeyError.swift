/// Why a key operation was refused; the descriptions are what `AuthAPI keys` prints.
public enum KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownKid(String)
    /// Only a standby key can become current.
    case notStandby(kid: String, state: SigningKey.State)
    /// A standby key published for less than the JWKS cache lifetime: resource servers may not
    /// have it yet.
    case publishedTooRecently(kid: String, seconds: Int, needed: Int)
    /// The current key signs every new token: another key must be activated first.
    case revokingCurrent(String)
    case alreadyRevoked(String)
    /// The key was made for another `AUTH_JWT_ALGORITHM`.
    case wrongAlgorithm(kid: String, key: SigningAlgorithm, configured: SigningAlgorithm)
    case notAsymmetric
    /// Neither `AUTH_JWT_ALGORITHM` nor the OpenID Provider (RS256) signs with this algorithm.
    case algorithmNotInUse(SigningAlgorithm)
    case sealingFailed
    /// The private key does not open with this `AUTH_SECRET_KEY` (another secret, or tampering).
    case cannotOpen(kid: String)
    case malformedKey(kid: String)

    public var description: String {
        switch self {
        case .unknownKid(let kid): return "no key with kid \(kid)"
        case .notStandby(let kid, let state): return "key \(kid) is \(state.rawValue); only a standby key can be activated"
        case .publishedTooRecently(let kid, let seconds, let needed):
            return "key \(kid) has been published for \(seconds) s, less than AUTH_JWKS_MAX_AGE (\(needed) s): resource "
                + "servers may still hold a JWKS without it; wait, or pass --force"
        case .revokingCurrent(let kid): return "key \(kid) is the current signing key; activate another key first"
        case .alreadyRevoked(let kid): return "key \(kid) is already revoked"
        case .wrongAlgorithm(let kid, let key, let configured):
            return "key \(kid) is an \(key.rawValue) key, but AUTH_JWT_ALGORITHM is \(configured.rawValue)"
        case .notAsymmetric: return "AUTH_JWT_ALGORITHM is HS256: tokens are signed with AUTH_SECRET_KEY, there are no signing keys"
        case .algorithmNotInUse(let algorithm):
            return "no tokens are signed with \(algorithm.rawValue): it is neither AUTH_JWT_ALGORITHM nor the OpenID Provider's RS256"
        case .sealingFailed: return "the private key could not be sealed"
        case .cannotOpen(let kid): return "the private key of \(kid) does not open with this AUTH_SECRET_KEY"
        case .malformedKey(let kid): return "the stored key \(kid) cannot be read"
        }
    }
}
