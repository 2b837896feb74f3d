import Foundation

/// The mail queue as the worker sees it. Claiming leases jobs to one owner; a lease that is
/// not renewed expires, and the job becomes claimable again, so a killed worker loses no mail.
public protocol JobQueue: Sendable {
    /// Leases up to `limit` due jobs (queued and due, or running with an expired lease), oldest
    /// first, in one transaction: two workers never claim the same job (see `Storage/Rules/MailQueueRules.swift`).
    func claim(owner: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [MailJob]
    /// Extends a lease still held by `owner`; false when it was lost.
    func renewLease(id: Int64, owner: String, until: Date) async throws -> Bool
    func complete(id: Int64, now: Date) async throws
    /// Back to `queued`, due at `runAt`, keeping the error.
    func retry(id: Int64, owner: String, error: String, runAt: Date, now: Date) async throws
    /// Parks the job as `dead` with its error.
    func bury(id: Int64, owner: String, error: String, now: Date) async throws
    /// Gives back a lease whose job was not started (the attempt does not count).
    func release(id: Int64, owner: String, now: Date) async throws
    func status(now: Date) async throws -> QueueStatus
    /// Dead jobs back to `queued` with a fresh attempt count: all, or one id. Returns how many.
    func requeueDead(id: Int64?, now: Date) async throws -> Int
    /// Deletes at most `limit` `done` jobs last touched before `olderThan`. Returns how many.
    func pruneDone(olderThan: Date, limit: Int) async throws -> Int
}

/// What `MailWorker status` shows.
public struct QueueStatus: Codable, Sendable, Equatable {
    public var queued: Int
    public var running: Int
    public var done: Int
    public var dead: Int
    /// Seconds since the oldest queued job was created; nil when none is queued.
    public var oldestQueuedAgeSeconds: Double?
    public var deadJobs: [DeadJob]

    public struct DeadJob: Codable, Sendable, Equatable {
        public var id: Int64
        public var kind: String
        public var attempts: Int
        public var lastError: String?
        public var updatedAt: String

        enum CodingKeys: String, CodingKey {
            case id, kind, attempts
            case lastError = "last_error"
            case updatedAt = "updated_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case queued, running, done, dead
        case oldestQueuedAgeSeconds = "oldest_queued_age_seconds"
        case deadJobs = "dead_jobs"
    }

    /// Assembles the status from what both backends query: counts by state, the creation time
    /// of the oldest queued job, and dead jobs.
    init(counts: [String: Int], oldestQueuedAt: Double?, deadJobs: [DeadJob], now: Date) {
        queued = counts["queued"] ?? 0
        running = counts["running"] ?? 0
        done = counts["done"] ?? 0
        dead = counts["dead"] ?? 0
        oldestQueuedAgeSeconds = oldestQueuedAt.map { max(0, now.timeIntervalSince1970 - $0) }
        self.deadJobs = deadJobs
    }
}
