import Foundation

/// How long rows outlive their use: ended sessions, codes, cooldowns and MFA login challenges a day (so a late
/// request still gets a precise answer), audit events for the configured retention, throttle
/// hits until no window can count them.
enum Retention {
    static let grace: TimeInterval = 86_400

    /// Deletes what is past its retention, in one transaction; returns how many rows.
    static func purgeExpired(now: Date, auditRetention: TimeInterval) -> TransactionStep<Int> {
        let dayAgo = now.addingTimeInterval(-grace)
        let statements = [
            SQLStatement("DELETE FROM login_sessions WHERE expires_at < ? OR revoked_at < ?", now, dayAgo),
            SQLStatement("DELETE FROM one_time_codes WHERE expires_at < ?", dayAgo),
            SQLStatement("DELETE FROM send_cooldowns WHERE last_sent_at < ?", dayAgo),
            SQLStatement("DELETE FROM auth_events WHERE created_at < ?", now.addingTimeInterval(-auditRetention)),
            SQLStatement("DELETE FROM mfa_challenges WHERE expires_at < ?", dayAgo),
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
