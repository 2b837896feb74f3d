import Foundation

/// The signing keys shared by every replica (`signing_keys`); the rules of their states live in
/// `SigningKeyRules`, once for both databases.
public protocol KeyStore: Sendable {
    /// Every key, newest first.
    func signingKeys() async throws -> [SigningKey]
    /// One key's row, or nil.
    func signingKey(kid: String) async throws -> SigningKey?
    /// Adds a key. A second `current` key is refused by the database: `StorageError.uniqueViolation`.
    func insertSigningKey(_ key: SigningKey) async throws
    /// standby → current, the current one → previous, in one transaction. `minimumPublished`:
    /// how long the key must have been published (nil: no wait, `--force`).
    func activateSigningKey(kid: String, now: Date, minimumPublished: TimeInterval?) async throws -> KeyChange
    /// standby or previous → revoked; the current key is refused.
    func revokeSigningKey(kid: String, now: Date) async throws -> KeyChange
}

/// What a key state change did: done (with the key that stopped being current), or why not.
public enum KeyChange: Sendable, Equatable {
    case done(previous: String?)
    case refused(KeyError)
}
