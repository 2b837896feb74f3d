import Foundation

/// The deletes of the purge, for both backends: ended sessions, codes, cooldowns and MFA login
/// challenges once the policy's grace has passed (so a late request still gets a precise
/// answer), audit events past their retention, throttle hits once no window can count them.
enum Retention {
    /// Deletes what is past its retention, in one transaction; returns how many rows.
    static func purgeExpired(now: Date, policy: RetentionPolicy) -> TransactionStep<Int> {
        let graceAgo = now.addingTimeInterval(-policy.grace)
        let statements = [
            SQLStatement("DELETE FROM login_sessions WHERE expires_at < ? OR revoked_at < ?", now, graceAgo),
            SQLStatement("DELETE FROM one_time_codes WHERE expires_at < ?", graceAgo),
            SQLStatement("DELETE FROM send_cooldowns WHERE last_sent_at < ?", graceAgo),
            SQLStatement("DELETE FROM auth_events WHERE created_at < ?", now.addingTimeInterval(-policy.auditEvents)),
            SQLStatement("DELETE FROM mfa_challenges WHERE expires_at < ?", graceAgo),
        ]
        @Sendable func delete(from index: Int, removed: Int) -> TransactionStep<Int> {
            guard index < statements.count else { return .done(removed) }
            return .write(statements[index]) { changed in delete(from: index + 1, removed: removed + changed) }
        }
        return delete(from: 0, removed: 0)
    }

    static func purgeHits(before: Date) -> SQLStatement {
        SQLStatement("DELETE FROM throttle_hits WHERE at <= ?", before)
    }
}
