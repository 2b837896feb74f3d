import Crypto

extension SymmetricKey {
    /// A key of its own for one purpose, derived from `AUTH_SECRET_KEY` as HMAC-SHA256(secret,
    /// label): keys of different purposes are independent, and none of them is the secret
    /// itself. The labels are part of stored data (hashes made under them): never change one.
    static func derived(from secretKey: String, purpose label: String) -> SymmetricKey {
        SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(label.utf8), using: SymmetricKey(data: Array(secretKey.utf8)))))
    }
}
