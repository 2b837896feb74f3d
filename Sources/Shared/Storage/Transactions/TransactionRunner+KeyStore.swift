import Foundation

/// The key store, once for every backend that runs statements.
extension TransactionRunner {
    public func signingKeys() async throws -> [SigningKey] {
        try await query(SigningKeyRules.all()).map(SigningKeyRules.key)
    }

    public func signingKey(kid: String) async throws -> SigningKey? {
        try await query(SigningKeyRules.one(kid)).first.map(SigningKeyRules.key)
    }

    public func insertSigningKey(_ key: SigningKey) async throws {
        _ = try await execute(SigningKeyRules.insert(key))
    }

    public func activateSigningKey(kid: String, now: Date, minimumPublished: TimeInterval?) async throws -> KeyChange {
        try await run(SigningKeyRules.activate(kid: kid, now: now, minimumPublished: minimumPublished))
    }

    public func revokeSigningKey(kid: String, now: Date) async throws -> KeyChange {
        try await run(SigningKeyRules.revoke(kid: kid, now: now))
    }
}
