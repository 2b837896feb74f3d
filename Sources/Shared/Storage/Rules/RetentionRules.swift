import Foundation

/// The deletes of the purge, for both databases: ended sessions, codes, cooldowns, MFA login
/// challenges and the provider's pending sign-ins once the policy's grace has passed (so a late request still gets a precise
/// answer), audit events past their retention, throttle hits once no window can count them,
/// sent mail past its retention. Each deletes at most `limit` rows (see `BatchedPurge`).
extension TransactionRunner {
    /// Returns how many rows went, in one transaction.
    public func purgeExpired(now: Date, retention policy: RetentionPolicy, limit: Int) async throws -> Int {
        let graceAgo = now.addingTimeInterval(-policy.grace)
        let statements = [
            RetentionRules.limited("login_sessions", key: "id", where: "expires_at < ? OR revoked_at < ?", now, graceAgo, limit: limit),
            RetentionRules.limited("one_time_codes", key: "id", where: "expires_at < ?", graceAgo, limit: limit),
            RetentionRules.limited("send_cooldowns", key: "(purpose, subject)", columns: "purpose, subject", where: "last_sent_at < ?",
                                   graceAgo, limit: limit),
            RetentionRules.limited("auth_events", key: "id", where: "created_at < ?", now.addingTimeInterval(-policy.auditEvents), limit: limit),
            RetentionRules.limited("mfa_challenges", key: "token_hash", where: "expires_at < ?", graceAgo, limit: limit),
            RetentionRules.limited("oauth_interactions", key: "id_hash", where: "expires_at < ?", graceAgo, limit: limit),
            RetentionRules.limited("oauth_codes", key: "code_hash", where: "expires_at < ?", graceAgo, limit: limit),
            RetentionRules.limited("oauth_token_sessions", key: "id", where: "expires_at < ? OR ended_at < ?", graceAgo, graceAgo, limit: limit),
        ]
        @Sendable func delete(from index: Int, removed: Int) -> TransactionStep<Int> {
            guard index < statements.count else { return .done(removed) }
            return .write(statements[index]) { changed in delete(from: index + 1, removed: removed + changed) }
        }
        return try await run(delete(from: 0, removed: 0))
    }

    /// Deletes at most `limit` throttle hits at or before `before`; returns how many.
    public func purgeHits(before: Date, limit: Int) async throws -> Int {
        try await execute(RetentionRules.limited("throttle_hits", key: "{hit id}", where: "at <= ?", before, limit: limit))
    }

    /// Deletes at most `limit` `done` mail jobs last touched before `olderThan`; returns how many.
    public func pruneDone(olderThan: Date, limit: Int) async throws -> Int {
        try await execute(RetentionRules.limited("mail_jobs", key: "id", where: "state = 'done' AND updated_at < ?", olderThan, limit: limit))
    }
}

enum RetentionRules {
    /// A delete of at most `limit` rows matching `condition`, by primary key: both databases
    /// take a key list from a limited subquery (neither takes `DELETE … LIMIT` as standard).
    static func limited(_ table: String, key: String, columns: String? = nil, where condition: String,
                        _ values: any SQLBindable..., limit: Int) -> SQLStatement {
        SQLStatement(
            "DELETE FROM \(table) WHERE \(key) IN (SELECT \(columns ?? key) FROM \(table) WHERE \(condition) LIMIT ?)",
            arguments: (values + [limit]).map(\.sqlValue))
    }
}
