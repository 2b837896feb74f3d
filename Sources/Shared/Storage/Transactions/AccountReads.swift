import Foundation

/// The reads of users and of the send cooldown.
enum AccountReads {
    static func user(emailKey: String) -> SQLStatement {
        SQLStatement("SELECT \(User.shownColumns) FROM users WHERE email_key = ?", emailKey)
    }

    static func lastSent(kind: MailJob.Kind, subject: String) -> SQLStatement {
        SQLStatement("SELECT last_sent_at FROM send_cooldowns WHERE purpose = ? AND subject = ?", kind.rawValue, subject)
    }

    /// Seconds until the cooldown that began at `lastSentAt` is over (0 when it is, or never began).
    static func cooldownRemaining(lastSentAt: Date?, cooldown: TimeInterval, now: Date) -> TimeInterval {
        guard let lastSentAt else { return 0 }
        return max(0, lastSentAt.timeIntervalSince1970 + cooldown - now.timeIntervalSince1970)
    }
}
