import Foundation

/// The one home of the signing-key state machine, for both databases: standby → current →
/// previous → revoked. One current key per algorithm is also the database's rule (a unique
/// partial index), so two replicas generating the first key at once cannot both succeed.
extension TransactionRunner {
    /// Every key, newest first.
    public func signingKeys() async throws -> [SigningKey] {
        try await query(SQLStatement("SELECT \(SigningKeyRules.columns) FROM signing_keys ORDER BY created_at DESC, kid"))
            .map(SigningKeyRules.key)
    }

    public func signingKey(kid: String) async throws -> SigningKey? {
        try await query(SigningKeyRules.one(kid)).first.map(SigningKeyRules.key)
    }

    /// Adds a key. A second `current` key is refused by the database: `StorageError.uniqueViolation`.
    public func insertSigningKey(_ key: SigningKey) async throws {
        _ = try await execute(SQLStatement("""
            INSERT INTO signing_keys (\(SigningKeyRules.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, key.kid, key.algorithm.rawValue, key.state.rawValue, key.publicJWK, Data(key.sealedPrivateKey), key.createdAt,
            key.activatedAt, key.retiredAt, key.revokedAt))
    }

    /// Only a standby key, published at least `minimumPublished` (its creation: a standby key is
    /// in the JWKS from the start); the current one of its algorithm becomes previous first, so
    /// the unique index (one current key per algorithm) never sees two.
    public func activateSigningKey(kid: String, now: Date, minimumPublished: TimeInterval?) async throws -> KeyChange {
        try await run(.read(SigningKeyRules.one(kid, locked: true)) { rows in
            guard let row = rows.first else { return .done(.refused(.unknownKid(kid))) }
            let key = try SigningKeyRules.key(row)
            guard key.state == .standby else { return .done(.refused(.notStandby(kid: kid, state: key.state))) }
            let algorithm = key.algorithm.rawValue
            return .read(SQLStatement(
                "SELECT kid FROM signing_keys WHERE state = 'current' AND algorithm = ?", algorithm, lock: .forUpdate(of: nil))) { currentRows in
                let previous = try currentRows.first.map { try $0.text("kid") }
                if let minimumPublished {
                    let published = now.timeIntervalSince(key.createdAt)
                    guard published >= minimumPublished else {
                        return .done(.refused(.publishedTooRecently(kid: kid, seconds: Int(published), needed: Int(minimumPublished))))
                    }
                }
                return .writes([
                    SQLStatement("UPDATE signing_keys SET state = 'previous', retired_at = ? WHERE state = 'current' AND algorithm = ?",
                                 now, algorithm),
                    SQLStatement("UPDATE signing_keys SET state = 'current', activated_at = ? WHERE kid = ?", now, kid),
                ], then: .done(.done(previous: previous)))
            }
        })
    }

    /// standby or previous → revoked; the current key is refused.
    public func revokeSigningKey(kid: String, now: Date) async throws -> KeyChange {
        try await run(.read(SigningKeyRules.one(kid, locked: true)) { rows in
            guard let row = rows.first else { return .done(.refused(.unknownKid(kid))) }
            switch try SigningKeyRules.key(row).state {
            case .current: return .done(.refused(.revokingCurrent(kid)))
            case .revoked: return .done(.refused(.alreadyRevoked(kid)))
            case .standby, .previous:
                return .write(SQLStatement("UPDATE signing_keys SET state = 'revoked', revoked_at = ? WHERE kid = ?", now, kid)) { _ in
                    .done(.done(previous: nil))
                }
            }
        })
    }
}

/// The key rows as the rules read them.
enum SigningKeyRules {
    static let columns = "kid, algorithm, state, public_jwk, private_key, created_at, activated_at, retired_at, revoked_at"

    static func one(_ kid: String, locked: Bool = false) -> SQLStatement {
        SQLStatement("SELECT \(columns) FROM signing_keys WHERE kid = ?", kid, lock: locked ? .forUpdate(of: nil) : .none)
    }

    static func key(_ row: SQLRow) throws -> SigningKey {
        let kid = try row.text("kid")
        guard let algorithm = SigningAlgorithm(rawValue: try row.text("algorithm")),
              let state = SigningKey.State(rawValue: try row.text("state"))
        else { throw KeyError.malformedKey(kid: kid) }
        return SigningKey(
            kid: kid, algorithm: algorithm, state: state, publicJWK: try row.text("public_jwk"),
            sealedPrivateKey: Array(try row.bytes("private_key")), createdAt: try row.date("created_at"),
            activatedAt: try row.optionalDate("activated_at"), retiredAt: try row.optionalDate("retired_at"),
            revokedAt: try row.optionalDate("revoked_at"))
    }
}
