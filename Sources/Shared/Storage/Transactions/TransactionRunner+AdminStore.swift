import Foundation

/// The admin store, once for every backend that runs statements.
extension TransactionRunner {
    public func users(matching filter: UserFilter, page: PageRequest) async throws -> Page<User> {
        try await snapshot(AdminRules.users(matching: filter, page: page))
    }

    public func updateUser(id: Int64, change: AdminUserChange, now: Date) async throws -> AdminOutcome<User> {
        try await run(AdminRules.update(id: id, change: change, now: now))
    }

    public func deleteAccount(id: Int64, throttleKeys: @escaping @Sendable (User) -> [String], notice: @escaping @Sendable (User) -> MailJob,
                              now: Date) async throws -> AdminOutcome<User> {
        try await run(AccountDeletion.delete(id: id, throttleKeys: throttleKeys, notice: notice, now: now))
    }

    public func resetMFA(userId: Int64, notice: MailJob, now: Date) async throws -> Bool {
        try await run(MFARules.reset(userId: userId, notice: Statements.insert(notice)))
    }

    public func mailJobs(state: MailJob.State?, page: PageRequest) async throws -> Page<MailJob> {
        try await snapshot(AdminRules.mailJobs(state: state, page: page))
    }

    public func requeueMailJob(id: Int64, now: Date) async throws -> AdminOutcome<MailJob> {
        try await run(try AdminRules.requeue(id: id, now: now))
    }

    public func events(userId: Int64?, event: String?, page: PageRequest) async throws -> Page<AuditRecord> {
        try await snapshot(AdminRules.events(userId: userId, event: event, page: page))
    }

    public func accountExport(userId: Int64) async throws -> AccountExport? {
        try await snapshot(AccountExportReads.export(userId: userId))
    }

    public func importConflicts(ids: [Int64], emailKeys: [String]) async throws -> (ids: Set<Int64>, emailKeys: Set<String>) {
        try await snapshot(UserImportRules.conflicts(ids: ids, emailKeys: emailKeys))
    }

    public func importUsers(_ users: [User]) async throws -> Int64 {
        do {
            return try await run(UserImportRules.insert(users))
        } catch StorageError.uniqueViolation {
            throw StorageError.emailTaken
        }
    }
}
