import Crypto
import Foundation

/// Client identifiers and secrets: made from the random source, and secrets stored only as an
/// HMAC-SHA256 under a key derived from `AUTH_SECRET_KEY`, bound to their client. A leaked
/// database alone then yields no usable secret, and a check is one constant-time comparison.
public struct ClientSecrets: Sendable {
    let key: SymmetricKey
    let random: any RandomSource

    public init(secretKey: String, random: any RandomSource) {
        key = .derived(from: secretKey, purpose: "swift-auth client secret hashing v1")
        self.random = random
    }

    /// 18 random bytes: 24 characters of base64url.
    public func newClientId() -> String { value(bytes: 18) }

    /// 32 random bytes: 43 characters of base64url.
    public func newSecret() -> String { value(bytes: 32) }

    /// Base64url of `bytes` random bytes, drawn again while it would begin with `-` or `_`:
    /// a value beginning with `-` reads as an option to command lines (`AuthAPI clients delete
    /// -x…`, a relying party's `--client-secret -x…`). One draw in 32 is redrawn.
    func value(bytes: Int) -> String {
        while true {
            let text = Base64URL.encode(random.bytes(bytes))
            if let first = text.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "_") { return text }
        }
    }

    public func hash(_ secret: String, clientId: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message(secret, clientId), using: key))
    }

    /// Constant-time comparison with the stored hash; false for a client without one.
    public func matches(_ secret: String, client: OAuthClient) -> Bool {
        guard let stored = client.secretHash else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(stored, authenticating: message(secret, client.clientId), using: key)
    }

    private func message(_ secret: String, _ clientId: String) -> Data {
        Data("\(clientId)\u{0}\(secret)".utf8)
    }
}
