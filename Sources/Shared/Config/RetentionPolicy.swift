import Foundation

/// How long rows outlive their use, and how often the purge runs: what bounds the database of a
/// service that keeps running. The defaults keep a day of grace and 90 days of audit trail;
/// shorter windows are for small disks and for soaks that must reach the plateau within minutes.
public struct RetentionPolicy: Sendable, Equatable {
    /// `AUTH_RETENTION_GRACE`: ended sessions, expired codes, send cooldowns and MFA login
    /// challenges are kept this long after they end, so that a late request still gets a precise
    /// answer ("Token is blacklisted", "code expired"). Never below the send cooldown: a purged
    /// cooldown would let the next code mail through early.
    public var grace: TimeInterval
    /// `AUTH_AUDIT_RETENTION_DAYS`: how long `auth_events` rows are kept.
    public var auditEvents: TimeInterval
    /// `AUTH_PURGE_INTERVAL`: seconds between two purges, in the API (`Housekeeping`) and in the
    /// worker (sent jobs past `AUTH_MAIL_RETENTION_DAYS`). A row lives at most its window plus this.
    public var purgeInterval: TimeInterval

    public static let `default` = RetentionPolicy(grace: 86_400, auditEvents: 90 * 86_400, purgeInterval: 3_600)
    /// The shortest grace `AUTH_RETENTION_GRACE` accepts (the send cooldown).
    public static let minimumGrace: TimeInterval = CodeMail.cooldown

    public init(grace: TimeInterval, auditEvents: TimeInterval, purgeInterval: TimeInterval) {
        self.grace = max(grace, Self.minimumGrace)
        self.auditEvents = auditEvents
        self.purgeInterval = purgeInterval
    }

    init(reading env: inout EnvironmentReader) {
        let standard = Self.default
        self.init(
            grace: env.seconds("AUTH_RETENTION_GRACE", default: standard.grace, range: Self.minimumGrace...31_536_000),
            // Days, as Django settings count them; a fraction (0.01 ≈ 14 minutes) for short windows.
            auditEvents: env.seconds("AUTH_AUDIT_RETENTION_DAYS", default: standard.auditEvents / 86_400, range: 0.0001...36_500) * 86_400,
            purgeInterval: env.seconds("AUTH_PURGE_INTERVAL", default: standard.purgeInterval, range: 1...86_400))
    }
}
