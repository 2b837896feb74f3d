import Foundation

/// The mail queue, implemented once for every backend that runs statements.
extension TransactionRunner {
    public func claim(owner: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [MailJob] {
        try await run(MailQueueTransitions.claim(owner: owner, limit: limit, lease: lease, now: now))
    }

    public func renewLease(id: Int64, owner: String, until: Date) async throws -> Bool {
        try await execute(MailQueueTransitions.renewLease(id: id, owner: owner, until: until)) == 1
    }

    public func complete(id: Int64, now: Date) async throws {
        _ = try await execute(MailQueueTransitions.complete(id: id, now: now))
    }

    public func retry(id: Int64, owner: String, error: String, runAt: Date, now: Date) async throws {
        _ = try await execute(MailQueueTransitions.retry(id: id, owner: owner, error: error, runAt: runAt, now: now))
    }

    public func bury(id: Int64, owner: String, error: String, now: Date) async throws {
        _ = try await execute(MailQueueTransitions.bury(id: id, owner: owner, error: error, now: now))
    }

    public func release(id: Int64, owner: String, now: Date) async throws {
        _ = try await execute(MailQueueTransitions.release(id: id, owner: owner, now: now))
    }

    public func status(now: Date) async throws -> QueueStatus {
        try await snapshot(MailQueueTransitions.status(now: now))
    }

    public func requeueDead(id: Int64?, now: Date) async throws -> Int {
        try await run(MailQueueTransitions.requeueDead(id: id, now: now))
    }

    public func pruneDone(olderThan: Date, limit: Int) async throws -> Int {
        try await execute(MailQueueTransitions.pruneDone(olderThan: olderThan, limit: limit))
    }
}
