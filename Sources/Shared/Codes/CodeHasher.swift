import Crypto
import Foundation

/// Keyed hashes of one-time codes: HMAC-SHA256 under a key derived from the secret key, over
/// purpose, address and code, so a stored hash is useless without the key and binds its purpose.
public struct CodeHasher: Sendable {
    let key: SymmetricKey

    public init(secretKey: String) {
        key = .derived(from: secretKey, purpose: "swift-auth one-time code hashing v1")
    }

    public func hash(code: String, purpose: CodePurpose, emailKey: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message(code, purpose, emailKey), using: key))
    }

    /// Constant-time comparison with a stored hash.
    public func matches(code: String, purpose: CodePurpose, emailKey: String, stored: Data) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(stored, authenticating: message(code, purpose, emailKey), using: key)
    }

    private func message(_ code: String, _ purpose: CodePurpose, _ emailKey: String) -> Data {
        Data("\(purpose.rawValue)\u{0}\(emailKey)\u{0}\(code)".utf8)
    }

    /// Six decimal digits, uniform over 000000–999999.
    public static func isWellFormed(_ code: String) -> Bool {
        code.utf8.count == 6 && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
