import Foundation

/// The mail queue's state changes, for both databases: the one home of the lease rules — a job
/// is claimed by one owner until its lease expires; only the owner may retry, bury, release or
/// renew it; a sent mail is done whoever holds the lease now, so it never goes out again.
extension TransactionRunner {
    /// Leases up to `limit` due jobs to `owner`, oldest first. On PostgreSQL the due rows are
    /// locked with `SKIP LOCKED`, so workers claim side by side, each row to one of them; on
    /// SQLite the write transaction excludes the other claimers.
    public func claim(owner: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [MailJob] {
        try await run(.read(SQLStatement(
            "SELECT id FROM mail_jobs WHERE \(MailQueueRules.due) ORDER BY run_at, id LIMIT ?", now, now, limit, lock: .forUpdateSkipLocked
        )) { rows in
            let ids = try rows.map { try $0.int64("id").sqlValue }
            guard !ids.isEmpty else { return .done([]) }
            return .read(SQLStatement("""
                UPDATE mail_jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
                WHERE id IN (\(SQLStatement.placeholders(ids.count))) RETURNING \(MailJob.columns)
                """, arguments: [owner.sqlValue, now.addingTimeInterval(lease).sqlValue, now.sqlValue] + ids)) { rows in
                .done(try rows.compactMap(MailJob.init).sorted { ($0.runAt, $0.id ?? 0) < ($1.runAt, $1.id ?? 0) })
            }
        })
    }

    /// Extends a lease still held by `owner`; false when it was lost.
    public func renewLease(id: Int64, owner: String, until: Date) async throws -> Bool {
        try await execute(SQLStatement("UPDATE mail_jobs SET lease_expires_at = ? WHERE \(MailQueueRules.owned)", until, id, owner)) == 1
    }

    /// A sent deletion notice forgets the address it went to: the account it was for is gone.
    public func complete(id: Int64, now: Date) async throws {
        _ = try await execute(SQLStatement("""
            UPDATE mail_jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?,
                \(MailQueueRules.forgetting)
            WHERE id = ?
            """, now, MailJob.Kind.accountDeletedNotice.rawValue, MailQueueRules.forgottenPayload, id))
    }

    /// Back to `queued`, due at `runAt`, keeping the error.
    public func retry(id: Int64, owner: String, error: String, runAt: Date, now: Date) async throws {
        _ = try await execute(SQLStatement("""
            UPDATE mail_jobs SET state = 'queued', run_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = ?
            WHERE \(MailQueueRules.owned)
            """, runAt, MailQueueRules.storedError(error), now, id, owner))
    }

    /// Parks the job as `dead` with its error.
    public func bury(id: Int64, owner: String, error: String, now: Date) async throws {
        _ = try await execute(SQLStatement("""
            UPDATE mail_jobs SET state = 'dead', last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?,
                \(MailQueueRules.forgetting)
            WHERE \(MailQueueRules.owned)
            """, MailQueueRules.storedError(error), now, MailJob.Kind.accountDeletedNotice.rawValue, MailQueueRules.forgottenPayload, id, owner))
    }

    /// The attempt the claim counted is given back: the job was never started.
    public func release(id: Int64, owner: String, now: Date) async throws {
        _ = try await execute(SQLStatement("""
            UPDATE mail_jobs SET state = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
            WHERE \(MailQueueRules.owned)
            """, now, id, owner))
    }

    /// Dead jobs back to `queued`, due now, with a fresh attempt count (all, or one id); idle
    /// workers are woken. Returns how many.
    public func requeueDead(id: Int64?, now: Date) async throws -> Int {
        try await run(.write(MailQueueRules.requeue(dead: id, now: now)) { changed in
            changed > 0 ? .writes([Statements.wakeWorkers], then: .done(changed)) : .done(changed)
        })
    }

    /// Counts by state, the oldest queued job and the first dead ones, from one snapshot.
    public func status(now: Date) async throws -> QueueStatus {
        try await snapshot(.read([
            SQLStatement("SELECT state, COUNT(*) AS n FROM mail_jobs GROUP BY state"),
            SQLStatement("SELECT MIN(created_at) AS oldest FROM mail_jobs WHERE state = 'queued'"),
            SQLStatement("SELECT id, kind, attempts, last_error, updated_at FROM mail_jobs WHERE state = 'dead' ORDER BY id LIMIT 100"),
        ]) { rows in
            let counts = try Dictionary(rows[0].map { (try $0.text("state"), try $0.int("n")) }, uniquingKeysWith: +)
            let oldest = try rows[1].first?.optionalDouble("oldest")
            let dead = try rows[2].map { row in
                QueueStatus.DeadJob(
                    id: try row.int64("id"), kind: try row.text("kind"), attempts: try row.int("attempts"),
                    lastError: try row.optionalText("last_error"), updatedAt: ISO8601Text.string(try row.date("updated_at")))
            }
            return .done(QueueStatus(counts: counts, oldestQueuedAt: oldest, deadJobs: dead, now: now))
        })
    }
}

/// The conditions and statements the queue's rules share.
enum MailQueueRules {
    /// What is due: queued and due, or running with an expired lease (its worker died).
    static let due = "(state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_expires_at <= ?)"

    /// The condition of every change only the lease's owner may make.
    static let owned = "id = ? AND state = 'running' AND lease_owner = ?"

    /// The payload, with a deletion notice's address forgotten (one `?` for the kind, one for
    /// the forgotten payload). A notice that cannot be delivered forgets it too: a dead job
    /// would otherwise keep the address of an account that is gone for as long as nobody looks.
    static let forgetting = "payload = CASE WHEN kind = ? THEN ? ELSE payload END"

    /// The payload of a job whose address is forgotten.
    static let forgottenPayload = #"{"email":"","user_id":0}"#

    /// Errors are kept bounded: an SMTP server's answer is not ours to store in full. The
    /// dispatcher has already put `<recipient>` where the answer quoted the address
    /// (`MailError.naming`), so no error keeps the address a forgotten job went to.
    static func storedError(_ error: String) -> String { String(error.prefix(1_000)) }

    /// Dead jobs (all, or one) back to `queued`, due now, with a fresh attempt count.
    static func requeue(dead id: Int64?, now: Date) -> SQLStatement {
        let requeue = "UPDATE mail_jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE state = 'dead'"
        return id.map { SQLStatement(requeue + " AND id = ?", now, now, $0) } ?? SQLStatement(requeue, now, now)
    }
}
