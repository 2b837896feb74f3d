import Crypto
import Foundation

/// The random values of the sign-in pages and how they are kept: an interaction's id and the
/// browser's `op_browser` value are stored only as SHA-256 hashes (a database read yields no
/// usable URL or cookie), and each page's CSRF token is an HMAC of its interaction under a key
/// derived from `AUTH_SECRET_KEY`, so it needs no row of its own and cannot be made elsewhere.
public struct InteractionSecrets: Sendable {
    let key: SymmetricKey
    let random: any RandomSource

    public init(secretKey: String, random: any RandomSource) {
        key = .derived(from: secretKey, purpose: "swift-auth provider page csrf v1")
        self.random = random
    }

    /// 32 random bytes, base64url: an interaction id or an `op_browser` value.
    public func newValue() -> String { Base64URL.encode(random.bytes(32)) }

    public static func hash(_ value: String) -> Data { Data(SHA256.hash(data: Data(value.utf8))) }

    /// The CSRF token of the pages of one interaction in one browser.
    public func csrfToken(interaction: String, browser: String) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: message(interaction, browser), using: key))
    }

    /// Constant time.
    public func csrfMatches(_ token: String, interaction: String, browser: String) -> Bool {
        guard let mac = Base64URL.decode(Substring(token)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message(interaction, browser), using: key)
    }

    private func message(_ interaction: String, _ browser: String) -> Data {
        Data("\(interaction)\u{0}\(browser)".utf8)
    }
}
