import Foundation
import GRDB

extension AppDatabase: AuthStore {
    public func user(emailKey: String) async throws -> User? {
        try await pool.read { db in
            try User.filter(User.Columns.emailKey == emailKey).fetchOne(db)
        }
    }

    public func user(id: Int64) async throws -> User? {
        try await pool.read { db in try User.fetchOne(db, key: id) }
    }

    public func updateNames(userId: Int64, firstName: String?, lastName: String?) async throws -> User? {
        try await pool.write { db in
            if let firstName {
                try db.execute(sql: "UPDATE users SET first_name = ? WHERE id = ?", arguments: [firstName, userId])
            }
            if let lastName {
                try db.execute(sql: "UPDATE users SET last_name = ? WHERE id = ?", arguments: [lastName, userId])
            }
            return try User.fetchOne(db, key: userId)
        }
    }

    public func cooldownRemaining(kind: MailJob.Kind, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> TimeInterval {
        let last = try await pool.read { db in
            try Double.fetchOne(
                db, sql: "SELECT last_sent_at FROM send_cooldowns WHERE purpose = ? AND subject = ?",
                arguments: [kind.rawValue, cooldownSubject])
        }
        guard let last else { return 0 }
        return max(0, last + cooldown - now.timeIntervalSince1970)
    }
    public func recordEvent(_ record: AuditRecord) async throws {
        try await pool.write { db in
            var record = record
            try record.insert(db)
        }
    }

    public func purgeExpired(now: Date, auditRetention: TimeInterval) async throws -> Int {
        try await pool.write { db in
            let t = now.timeIntervalSince1970
            try db.execute(sql: "DELETE FROM login_sessions WHERE expires_at < ? OR revoked_at < ?", arguments: [t, t - 86_400])
            var removed = db.changesCount
            try db.execute(sql: "DELETE FROM one_time_codes WHERE expires_at < ?", arguments: [t - 86_400])
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM send_cooldowns WHERE last_sent_at < ?", arguments: [t - 86_400])
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM auth_events WHERE created_at < ?", arguments: [t - auditRetention])
            removed += db.changesCount
            return removed
        }
    }
}
