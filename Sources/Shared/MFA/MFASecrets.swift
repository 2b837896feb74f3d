import Crypto
import Foundation

/// The keys of the second factor, all derived from `AUTH_SECRET_KEY` with HKDF: TOTP secrets
/// are sealed (AES-GCM, bound to their user), recovery codes and `mfa_token`s are stored only as
/// HMAC-SHA256 keyed hashes, so the database alone gives none of them away.
public struct MFASecrets: Sendable {
    let sealer: KeySealer
    let hashKey: SymmetricKey

    /// Ten recovery codes of ten base32 characters (50 bits each), shown as `abcde-fghij`.
    public static let recoveryCodeCount = 10

    public init(secretKey: String) {
        sealer = KeySealer(secretKey: secretKey, purpose: "totp secrets")
        hashKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(secretKey.utf8)), salt: Array("swift-auth mfa hashes".utf8),
            info: Array("hmac-sha256 v1".utf8), outputByteCount: 32)
    }

    func seal(totpSecret: [UInt8], userId: Int64) throws -> [UInt8] {
        try sealer.seal(totpSecret, kid: "totp:\(userId)")
    }

    func open(totpSecret sealed: [UInt8], userId: Int64) -> [UInt8]? {
        try? sealer.open(sealed, kid: "totp:\(userId)")
    }

    /// Lower case, without the dash and spaces people type.
    static func normalize(recoveryCode: String) -> String {
        String(recoveryCode.lowercased().filter { $0 != "-" && $0 != " " })
    }

    func hash(recoveryCode: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(("recovery:" + Self.normalize(recoveryCode: recoveryCode)).utf8), using: hashKey))
    }

    func hash(challengeToken: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(("challenge:" + challengeToken).utf8), using: hashKey))
    }

    static func newRecoveryCodes(_ random: any RandomSource) -> [String] {
        (0..<recoveryCodeCount).map { _ in
            let text = Base32.encode(random.bytes(7)).lowercased().prefix(10)
            return String(text.prefix(5)) + "-" + String(text.suffix(5))
        }
    }
}
