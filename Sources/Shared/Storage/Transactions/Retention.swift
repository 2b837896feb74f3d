import Foundation

/// The deletes of the purge, for both backends: ended sessions, codes, cooldowns and MFA login
/// challenges once the policy's grace has passed (so a late request still gets a precise
/// answer), audit events past their retention, throttle hits once no window can count them.
enum Retention {
    /// Deletes what is past its retention, at most `limit` rows of each table (see
    /// `BatchedPurge`), in one transaction; returns how many rows.
    static func purgeExpired(now: Date, policy: RetentionPolicy, limit: Int) -> TransactionStep<Int> {
        let graceAgo = now.addingTimeInterval(-policy.grace)
        let statements = [
            limited("login_sessions", key: "id", where: "expires_at < ? OR revoked_at < ?", now, graceAgo, limit: limit),
            limited("one_time_codes", key: "id", where: "expires_at < ?", graceAgo, limit: limit),
            limited("send_cooldowns", key: "(purpose, subject)", columns: "purpose, subject", where: "last_sent_at < ?", graceAgo, limit: limit),
            limited("auth_events", key: "id", where: "created_at < ?", now.addingTimeInterval(-policy.auditEvents), limit: limit),
            limited("mfa_challenges", key: "token_hash", where: "expires_at < ?", graceAgo, limit: limit),
        ]
        @Sendable func delete(from index: Int, removed: Int) -> TransactionStep<Int> {
            guard index < statements.count else { return .done(removed) }
            return .write(statements[index]) { changed in delete(from: index + 1, removed: removed + changed) }
        }
        return delete(from: 0, removed: 0)
    }

    /// A delete of at most `limit` rows matching `condition`, by primary key: both databases
    /// take a key list from a limited subquery (neither takes `DELETE … LIMIT` as standard).
    static func limited(_ table: String, key: String, columns: String? = nil, where condition: String,
                        _ values: any SQLBindable..., limit: Int) -> SQLStatement {
        SQLStatement(
            "DELETE FROM \(table) WHERE \(key) IN (SELECT \(columns ?? key) FROM \(table) WHERE \(condition) LIMIT ?)",
            arguments: (values + [limit]).map(\.sqlValue))
    }

    /// At most `limit` hits at or before `before`.
    static func purgeHits(before: Date, limit: Int) -> SQLStatement {
        limited("throttle_hits", key: "{hit id}", where: "at <= ?", before, limit: limit)
    }
}
