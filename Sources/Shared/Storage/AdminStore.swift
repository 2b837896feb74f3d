import Foundation

/// The operator's reads and writes, and the caller's own export and deletion: one transaction
/// each, the rules in `Rules/AdminRules.swift` and `Rules/AccountDataRules.swift`, once for both databases.
public protocol AdminStore: Sendable {
    /// A page of users by id, with the count of all that match.
    func users(matching filter: UserFilter, page: PageRequest) async throws -> Page<User>
    /// Applies a staff user's change; deactivating ends every session in the same transaction.
    func updateUser(id: Int64, change: AdminUserChange, now: Date) async throws -> AdminOutcome<User>
    /// Removes the account and its personal data (see `deleteAccount` in `Rules/AccountDataRules.swift`), queueing `notice`.
    /// `throttleKeys`: the stored rate-limit keys that hold the address.
    func deleteAccount(id: Int64, throttleKeys: @escaping @Sendable (User) -> [String], notice: @escaping @Sendable (User) -> MailJob,
                       now: Date) async throws -> AdminOutcome<User>
    /// Removes the user's TOTP factor and recovery codes; queues `notice` when there was one.
    func resetMFA(userId: Int64, notice: MailJob, now: Date) async throws -> Bool
    /// A page of mail jobs by id, of one state or all.
    func mailJobs(state: MailJob.State?, page: PageRequest) async throws -> Page<MailJob>
    /// A dead job back to `queued` with a fresh attempt count.
    func requeueMailJob(id: Int64, now: Date) async throws -> AdminOutcome<MailJob>
    /// A page of audit events, newest first.
    func events(userId: Int64?, event: String?, page: PageRequest) async throws -> Page<AuditRecord>
    /// Everything stored about the user that may be shown to them, from one snapshot.
    func accountExport(userId: Int64) async throws -> AccountExport?

    /// Which of these ids and address keys already have an account (`import-django`'s check).
    func importConflicts(ids: [Int64], emailKeys: [String]) async throws -> (ids: Set<Int64>, emailKeys: Set<String>)
    /// Inserts imported users with their own ids, all or none; the next id, or `.emailTaken`
    /// when an address or id was taken meanwhile.
    func importUsers(_ users: [User]) async throws -> Insertion<Int64>
}

/// What a staff action's transaction decided.
public enum AdminOutcome<Value: Sendable>: Sendable {
    case done(Value)
    case notFound
    /// It would leave no active staff account.
    case lastStaff
    /// The row is not in a state the action applies to (requeue of a job that is not dead).
    case wrongState
}

/// Everything stored about one user that they may see: never a hash, code, secret or token.
public struct AccountExport: Sendable {
    public var user: User
    /// Every stored login session, ended ones included, newest first.
    public var sessions: [LoginSession]
    /// The user's audit events, oldest first.
    public var events: [AuditRecord]
    /// Mail jobs addressed to the user.
    public var mailJobs: [MailJob]
    public var totp: Bool
    public var recoveryCodesLeft: Int
    /// The user's consents at the OpenID Provider, newest first.
    public var grants: [ProviderGrant] = []
}
