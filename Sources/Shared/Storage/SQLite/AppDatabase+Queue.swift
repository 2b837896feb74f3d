import Foundation
import GRDB

extension AppDatabase: JobQueue {
    public func claim(owner: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [MailJob] {
        try await pool.write { db in
            let t = now.timeIntervalSince1970
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM mail_jobs
                    WHERE (state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_expires_at <= ?)
                    ORDER BY run_at, id LIMIT ?
                    """,
                arguments: [t, t, limit])
            guard !ids.isEmpty else { return [] }
            try db.execute(
                sql: """
                    UPDATE mail_jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?,
                        attempts = attempts + 1, updated_at = ?
                    WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: StatementArguments([owner, t + lease, t] as [any DatabaseValueConvertible]) + StatementArguments(ids))
            return try MailJob.filter(ids.contains(Column("id"))).order(Column("run_at"), Column("id")).fetchAll(db)
        }
    }

    public func renewLease(id: Int64, owner: String, until: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE mail_jobs SET lease_expires_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
                arguments: [until.timeIntervalSince1970, id, owner])
            return db.changesCount == 1
        }
    }

    public func complete(id: Int64, now: Date) async throws {
        try await pool.write { db in
            // Whoever holds the lease now: the mail went out, so it must not go out again.
            try db.execute(
                sql: """
                    UPDATE mail_jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [now.timeIntervalSince1970, id])
        }
    }

    public func retry(id: Int64, owner: String, error: String, runAt: Date, now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE mail_jobs SET state = 'queued', run_at = ?, last_error = ?, lease_owner = NULL,
                        lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND state = 'running' AND lease_owner = ?
                    """,
                arguments: [runAt.timeIntervalSince1970, String(error.prefix(1_000)), now.timeIntervalSince1970, id, owner])
        }
    }

    public func bury(id: Int64, owner: String, error: String, now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE mail_jobs SET state = 'dead', last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND state = 'running' AND lease_owner = ?
                    """,
                arguments: [String(error.prefix(1_000)), now.timeIntervalSince1970, id, owner])
        }
    }

    public func release(id: Int64, owner: String, now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE mail_jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), lease_owner = NULL,
                        lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND state = 'running' AND lease_owner = ?
                    """,
                arguments: [now.timeIntervalSince1970, id, owner])
        }
    }

    public func status(now: Date) async throws -> QueueStatus {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM mail_jobs GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            let oldest = try Double.fetchOne(db, sql: "SELECT MIN(created_at) FROM mail_jobs WHERE state = 'queued'")
            let dead = try Row.fetchAll(
                db, sql: "SELECT id, kind, attempts, last_error, updated_at FROM mail_jobs WHERE state = 'dead' ORDER BY id LIMIT 100"
            ).map { row in
                QueueStatus.DeadJob(
                    id: row["id"], kind: row["kind"], attempts: row["attempts"], lastError: row["last_error"],
                    updatedAt: ISO8601Text.string(Date(timeIntervalSince1970: row["updated_at"])))
            }
            return QueueStatus(counts: counts, oldestQueuedAt: oldest, deadJobs: dead, now: now)
        }
    }

    public func requeueDead(id: Int64?, now: Date) async throws -> Int {
        try await pool.write { db in
            let t = now.timeIntervalSince1970
            if let id {
                try db.execute(
                    sql: "UPDATE mail_jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE state = 'dead' AND id = ?",
                    arguments: [t, t, id])
            } else {
                try db.execute(
                    sql: "UPDATE mail_jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE state = 'dead'",
                    arguments: [t, t])
            }
            return db.changesCount
        }
    }

    public func pruneDone(olderThan: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM mail_jobs WHERE state = 'done' AND updated_at < ?", arguments: [olderThan.timeIntervalSince1970])
            return db.changesCount
        }
    }
}
