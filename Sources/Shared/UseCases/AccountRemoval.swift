import Foundation

/// The one path by which an account goes, for the user themselves (`AccountData.delete`) and for
/// staff (`Administration.delete`): the store's deletion (the account, its personal data, the
/// rate-limit counters that hold its address), the notice to its address, and the audit event
/// naming who did it.
public struct AccountRemoval: Sendable {
    let store: any AuthStore
    let mailJobs: MailJobs
    let audit: AuditLog
    let clock: any AuthClock

    /// False when there is no such account; `lastStaff` when it is the last active staff account.
    func remove(userId: Int64, actorId: Int64?, client: ClientInfo) async throws -> Bool {
        let mailJobs = self.mailJobs
        let outcome = try await store.deleteAccount(
            id: userId, throttleKeys: { user in Self.throttleKeys(of: user) },
            notice: { user in mailJobs.make(.accountDeletedNotice, to: user.email, of: userId) }, now: clock.now())
        switch outcome {
        case .done:
            await audit.record(actorId == nil ? .accountDeleted : .adminUserDeleted, userId: userId, actorId: actorId, client: client)
            return true
        case .notFound, .wrongState: return false
        case .lastStaff: throw AuthError.lastStaff
        }
    }

    /// The stored rate-limit keys that name the account or its address, in every scope.
    static func throttleKeys(of user: User) -> [String] {
        let keys: [ThrottleKey] = [.email(user.emailKey), .resetConfirmation(emailKey: user.emailKey), .user(user.id ?? 0)]
        return ThrottleScope.allCases.flatMap { scope in keys.map { RateLimiter.bounded(scope, $0.stored) } }
    }
}
