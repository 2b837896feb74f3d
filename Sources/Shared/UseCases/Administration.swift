import Foundation

/// What active staff users may do: find and change users, end their sessions, mail them a
/// code, reset their second factor, delete them; look after dead mail; read the audit trail.
/// Every method takes a `StaffCaller`, and every change is an audit event naming the actor.
public struct Administration: Sendable {
    let store: any AuthStore
    let removal: AccountRemoval
    let mailJobs: MailJobs
    let audit: AuditLog
    let clock: any AuthClock

    public func users(_ staff: StaffCaller, filter: UserFilter, page: PageRequest) async throws -> Page<User> {
        try Self.checked(try await store.users(matching: filter, page: page))
    }

    /// The user and their active sessions.
    public func user(_ staff: StaffCaller, id: Int64) async throws -> (User, [LoginSession]) {
        guard let user = try await store.user(id: id) else { throw AuthError.notFound }
        return (user, try await store.sessions(userId: id, now: clock.now()))
    }

    public func update(_ staff: StaffCaller, id: Int64, _ parsed: Result<AdminUserChange, AuthError>, client: ClientInfo) async throws -> User {
        let change = try parsed.get()
        let user = try Self.settled(try await store.updateUser(id: id, change: change, now: clock.now()))
        let changed = [("first_name", change.firstName != nil), ("last_name", change.lastName != nil), ("is_active", change.isActive != nil),
                       ("is_staff", change.isStaff != nil), ("is_verified", change.isVerified != nil)].filter(\.1).map(\.0)
        var detail = changed.joined(separator: ",")
        if change.isActive == false { detail += "; sessions ended" }
        await audit.record(.adminUserUpdated, userId: id, actorId: staff.id, client: client, detail: detail)
        return user
    }

    /// As `DELETE /me/`, without the password: the account and its personal data go.
    public func delete(_ staff: StaffCaller, id: Int64, client: ClientInfo) async throws {
        guard try await removal.remove(userId: id, actorId: staff.id, client: client) else { throw AuthError.notFound }
    }

    public func logoutAll(_ staff: StaffCaller, id: Int64, client: ClientInfo) async throws {
        guard try await store.user(id: id) != nil else { throw AuthError.notFound }
        let count = try await store.revokeAllSessions(userId: id, now: clock.now())
        await audit.record(.adminLogoutAll, userId: id, actorId: staff.id, client: client, detail: "\(count) sessions")
    }

    /// A new verification code by mail, without the send cooldown (the cooldown still starts).
    public func sendCode(_ staff: StaffCaller, id: Int64, client: ClientInfo) async throws {
        guard let user = try await store.user(id: id) else { throw AuthError.notFound }
        guard !user.isVerified else { throw AuthError.alreadyVerified }
        guard user.isActive else { throw AuthError.accountInactive }
        _ = try await store.queueMail(
            mailJobs.make(.verifyEmail, to: user.email, of: id), cooldownSubject: user.emailKey, cooldown: 0, now: clock.now())
        await audit.record(.adminCodeSent, userId: id, actorId: staff.id, client: client, detail: CodePurpose.verifyEmail.rawValue)
    }

    /// TOTP and recovery codes removed (a user who lost both); the notice mail when there was a factor.
    public func resetMFA(_ staff: StaffCaller, id: Int64, client: ClientInfo) async throws {
        guard let user = try await store.user(id: id) else { throw AuthError.notFound }
        let removed = try await store.resetMFA(
            userId: id, notice: mailJobs.make(.mfaDisabledNotice, to: user.email, of: id), now: clock.now())
        await audit.record(.adminMFAReset, userId: id, actorId: staff.id, client: client, detail: removed ? "factor removed" : "no factor")
    }

    public func mailJobs(_ staff: StaffCaller, state: MailJob.State?, page: PageRequest) async throws -> Page<MailJob> {
        try Self.checked(try await store.mailJobs(state: state, page: page))
    }

    public func requeue(_ staff: StaffCaller, jobId: Int64, client: ClientInfo) async throws -> MailJob {
        let job = try Self.settled(try await store.requeueMailJob(id: jobId, now: clock.now()))
        await audit.record(.adminMailRequeued, userId: job.userId, actorId: staff.id, client: client, detail: "job \(jobId)")
        return job
    }

    public func events(_ staff: StaffCaller, userId: Int64?, type: String?, page: PageRequest) async throws -> Page<AuditRecord> {
        try Self.checked(try await store.events(userId: userId, event: type, page: page))
    }

    /// DRF's paginator: a page past the last is `Invalid page.` (page 1 of an empty list is served).
    static func checked<T>(_ page: Page<T>) throws -> Page<T> {
        guard page.request.number <= page.lastNumber else { throw AuthError.invalidPage }
        return page
    }

    static func settled<T>(_ outcome: AdminOutcome<T>) throws -> T {
        switch outcome {
        case .done(let value): return value
        case .notFound: throw AuthError.notFound
        case .lastStaff: throw AuthError.lastStaff
        case .wrongState: throw AuthError.jobNotDead
        }
    }
}
