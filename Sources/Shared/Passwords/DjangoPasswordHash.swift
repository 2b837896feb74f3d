import CCrypt
import Crypto
import _CryptoExtras
import Foundation

/// The password hashes of a Django project's user table, verified as Django's own hashers do,
/// through kept libraries (no hand-written hash algorithm): `pbkdf2_sha256` with swift-crypto's
/// PBKDF2, `argon2` (argon2-cffi's PHC string after the prefix) with libargon2, `bcrypt_sha256`
/// with libxcrypt's `crypt_r`. Imported accounts keep such a hash until their first login,
/// which replaces it by this service's Argon2id (`PasswordHashers.needsRehash`).
public enum DjangoPasswordHash {
    public enum Format: String, Sendable, CaseIterable {
        case pbkdf2SHA256 = "pbkdf2_sha256"
        case argon2
        case bcryptSHA256 = "bcrypt_sha256"
    }

    /// The format of a stored Django hash; nil for this service's own hashes, unusable
    /// passwords (`!…`), hashers not supported here (Argon2i and Argon2d among them) and work
    /// factors past `Bounds` — such accounts sign in after a password reset, and the import
    /// reports how many there are.
    public static func format(of encoded: String) -> Format? {
        guard let dollar = encoded.firstIndex(of: "$"), let format = Format(rawValue: String(encoded[..<dollar])) else { return nil }
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        switch format {
        case .pbkdf2SHA256:
            guard parts.count == 4, let iterations = Int(parts[1]), Bounds.pbkdf2Iterations.contains(iterations) else { return nil }
        case .argon2:
            let phc = String(encoded.dropFirst("argon2".count))
            guard let parameters = Argon2idHasher.parameters(of: phc), Bounds.argon2MemoryKiB.contains(parameters.memoryKiB),
                  Bounds.argon2Iterations.contains(parameters.iterations), Bounds.argon2Lanes.contains(parameters.parallelism)
            else { return nil }
        case .bcryptSHA256:
            // ["bcrypt_sha256", "", "2b", "<cost>", "<salt+hash>"]
            guard parts.count == 5, parts[2] == "2b" || parts[2] == "2a", let cost = Int(parts[3]), Bounds.bcryptCost.contains(cost)
            else { return nil }
        }
        return format
    }

    /// The work factors verified here: Django's defaults (PBKDF2 1 000 000 iterations in 5.2,
    /// 1 200 000 in 6.0; Argon2 m=102400 KiB, t=2, p=8; bcrypt cost 12) with room above. One
    /// login attempt against a hash costs its work factor, so an imported row cannot make a
    /// login take seconds of CPU or gigabytes of memory.
    public enum Bounds {
        public static let pbkdf2Iterations = 1...2_000_000
        public static let argon2MemoryKiB = 8...262_144
        public static let argon2Iterations = 1...10
        public static let argon2Lanes = 1...16
        public static let bcryptCost = 4...14
    }

    /// Whether `encoded` is an unusable password (Django's `set_unusable_password`): never verifies.
    public static func isUnusable(_ encoded: String) -> Bool { encoded.hasPrefix("!") }

    /// Django's check, in constant time over the derived bytes; false for anything malformed.
    /// Slow by design (Django's work factors): run it off the event loop.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        switch format(of: encoded) {
        case .pbkdf2SHA256: return verifyPBKDF2(password, encoded)
        case .argon2: return verifyArgon2(password, encoded)
        case .bcryptSHA256: return verifyBcryptSHA256(password, encoded)
        case nil: return false
        }
    }

    /// `pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>`.
    static func verifyPBKDF2(_ password: String, _ encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, let iterations = Int(parts[1]), Bounds.pbkdf2Iterations.contains(iterations),
              let expected = Data(base64Encoded: String(parts[3])), !expected.isEmpty, expected.count <= 64,
              let key = try? KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: Array(parts[2].utf8), using: .sha256, outputByteCount: expected.count,
                unsafeUncheckedRounds: iterations)
        else { return false }
        return key.withUnsafeBytes { constantTimeEqual(Array($0), Array(expected)) }
    }

    /// `argon2` followed by argon2-cffi's PHC string: `argon2$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
    /// Only Argon2id (Django's since 3.2); libargon2 computes any number of lanes.
    static func verifyArgon2(_ password: String, _ encoded: String) -> Bool {
        let phc = String(encoded.dropFirst("argon2".count))
        guard format(of: encoded) == .argon2 else { return false }
        return Argon2idHasher.referenceVerify(Array(password.utf8), against: phc)
    }

    /// `bcrypt_sha256$$2b$<cost>$<salt+hash>`: bcrypt of the hex SHA-256 of the password (so long
    /// passwords are not cut at bcrypt's 72 bytes), as Django's `BCryptSHA256PasswordHasher`.
    static func verifyBcryptSHA256(_ password: String, _ encoded: String) -> Bool {
        let setting = String(encoded.dropFirst("bcrypt_sha256$".count))
        guard setting.hasPrefix("$2b$") || setting.hasPrefix("$2a$"), setting.utf8.count == 60 else { return false }
        let digest = Hex.encode(SHA256.hash(data: Array(password.utf8)))
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(digest, setting, data) else { return false }
        let computed = String(cString: result)
        // crypt_r answers a string starting with '*' on failure, never the setting itself.
        guard !computed.hasPrefix("*") else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(setting.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
