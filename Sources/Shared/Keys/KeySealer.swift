import Crypto
import Foundation

/// Seals private signing keys at rest: AES-256-GCM under a key derived from `AUTH_SECRET_KEY`
/// with HKDF-SHA256, the key id as associated data (a sealed key copied to another row does not
/// open). Whoever reads the database without the secret sees no private key.
public struct KeySealer: Sendable {
    let key: SymmetricKey

    /// `purpose` separates the keys of what is sealed (signing keys, TOTP secrets): a value
    /// sealed for one never opens as the other.
    public init(secretKey: String, purpose: String = "signing keys") {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(secretKey.utf8)), salt: Array("swift-auth \(purpose)".utf8),
            info: Array("aes-256-gcm v1".utf8), outputByteCount: 32)
    }

    public func seal(_ secret: [UInt8], kid: String) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(secret, using: key, authenticating: Array(kid.utf8)).combined else {
            throw KeyError.sealingFailed
        }
        return Array(combined)
    }

    /// Throws when the bytes were not sealed under this secret for this kid.
    public func open(_ sealed: [UInt8], kid: String) throws -> [UInt8] {
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Array(kid.utf8)))
        } catch {
            throw KeyError.cannotOpen(kid: kid)
        }
    }
}
