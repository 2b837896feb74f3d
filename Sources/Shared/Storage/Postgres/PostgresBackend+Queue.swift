import Foundation
import PostgresNIO

extension PostgresBackend: JobQueue {
    public func claim(owner: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [MailJob] {
        let t = now.timeIntervalSince1970
        // One statement: `SKIP LOCKED` lets M workers claim side by side, each row to one of them.
        let jobs = try await client.withConnection { connection in
            try await connection.rows("""
                WITH picked AS MATERIALIZED (
                    SELECT id FROM mail_jobs
                    WHERE (state = 'queued' AND run_at <= \(t)) OR (state = 'running' AND lease_expires_at <= \(t))
                    ORDER BY run_at, id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                UPDATE mail_jobs SET state = 'running', lease_owner = \(owner), lease_expires_at = \(t + lease),
                    attempts = attempts + 1, updated_at = \(t)
                WHERE id IN (SELECT id FROM picked)
                RETURNING \(unescaped: PostgresRows.jobColumns)
                """, logger: logger).compactMap(PostgresRows.job)
        }
        return jobs.sorted { ($0.runAt, $0.id ?? 0) < ($1.runAt, $1.id ?? 0) }
    }

    public func renewLease(id: Int64, owner: String, until: Date) async throws -> Bool {
        try await client.withConnection { connection in
            try await connection.count("""
                UPDATE mail_jobs SET lease_expires_at = \(until.timeIntervalSince1970)
                WHERE id = \(id) AND state = 'running' AND lease_owner = \(owner) RETURNING 1
                """, logger: logger) == 1
        }
    }

    public func complete(id: Int64, now: Date) async throws {
        try await client.withConnection { connection in
            try await connection.run("""
                UPDATE mail_jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    public func retry(id: Int64, owner: String, error: String, runAt: Date, now: Date) async throws {
        try await client.withConnection { connection in
            try await connection.run("""
                UPDATE mail_jobs SET state = 'queued', run_at = \(runAt.timeIntervalSince1970), last_error = \(String(error.prefix(1_000))),
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(id) AND state = 'running' AND lease_owner = \(owner)
                """, logger: logger)
        }
    }

    public func bury(id: Int64, owner: String, error: String, now: Date) async throws {
        try await client.withConnection { connection in
            try await connection.run("""
                UPDATE mail_jobs SET state = 'dead', last_error = \(String(error.prefix(1_000))), lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(id) AND state = 'running' AND lease_owner = \(owner)
                """, logger: logger)
        }
    }

    public func release(id: Int64, owner: String, now: Date) async throws {
        try await client.withConnection { connection in
            try await connection.run("""
                UPDATE mail_jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(id) AND state = 'running' AND lease_owner = \(owner)
                """, logger: logger)
        }
    }

    public func status(now: Date) async throws -> QueueStatus {
        try await transaction { connection in
            // One snapshot, so the counts agree with each other (as SQLite's read transaction).
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var counts: [String: Int] = [:]
            for row in try await connection.rows("SELECT state, COUNT(*) AS n FROM mail_jobs GROUP BY state", logger: logger) {
                let row = NamedRow(row)
                counts[try row["state"]] = try row["n"] as Int
            }
            let oldest = try await connection.rows("SELECT MIN(created_at) FROM mail_jobs WHERE state = 'queued'", logger: logger)
                .first?.decode(Double?.self) ?? nil
            let dead = try await connection.rows("""
                SELECT id, kind, attempts, last_error, updated_at FROM mail_jobs WHERE state = 'dead' ORDER BY id LIMIT 100
                """, logger: logger).map { row in
                let row = NamedRow(row)
                return QueueStatus.DeadJob(
                    id: try row["id"], kind: try row["kind"], attempts: try row["attempts"], lastError: try row["last_error"],
                    updatedAt: ISO8601Text.string(try row.date("updated_at")))
            }
            return QueueStatus(counts: counts, oldestQueuedAt: oldest, deadJobs: dead, now: now)
        }
    }

    public func requeueDead(id: Int64?, now: Date) async throws -> Int {
        let t = now.timeIntervalSince1970
        return try await transaction { connection in
            let count = try await connection.count("""
                UPDATE mail_jobs SET state = 'queued', attempts = 0, run_at = \(t), updated_at = \(t)
                WHERE state = 'dead' AND (\(id)::BIGINT IS NULL OR id = \(id)) RETURNING 1
                """, logger: logger)
            if count > 0 { try await connection.run("SELECT pg_notify(\(Self.jobChannel), '')", logger: logger) }
            return count
        }
    }

    public func pruneDone(olderThan: Date) async throws -> Int {
        try await client.withConnection { connection in
            try await connection.count(
                "DELETE FROM mail_jobs WHERE state = 'done' AND updated_at < \(olderThan.timeIntervalSince1970) RETURNING 1",
                logger: logger)
        }
    }
}
