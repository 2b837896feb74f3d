import Foundation

/// The storage the account logic needs, as invariant-preserving operations: each method is
/// one transaction, so use cases never compose writes themselves. Each is implemented once, for
/// every backend, by its rule in `Storage/Rules` (an extension of `TransactionRunner`).
public protocol AuthStore: MFAStore, AdminStore {
    func user(emailKey: String) async throws -> User?
    func user(id: Int64) async throws -> User?

    /// Inserts a user (the manager's `createuser`/`createsuperuser`); `.emailTaken` when the
    /// address is taken.
    func createUser(_ user: User) async throws -> Insertion<User>

    /// Signup: inserts the user and, in the same transaction, its first login session and its
    /// verification mail, which starts the address's send cooldown; `.emailTaken`, leaving
    /// nothing behind, when the address is taken.
    func createUserQueueingVerification(
        _ user: User, session: LoginSession.Draft, mail: MailJob.Draft, now: Date
    ) async throws -> Insertion<(user: User, session: LoginSession)>

    /// Records a successful login: the new session, `last_login`, and an upgraded hash if any —
    /// stored only while the password is still the verified `upgrade.from` (a reset or change
    /// committed meanwhile wins).
    func recordLogin(userId: Int64, session: LoginSession, upgrade: (from: String, to: String)?, now: Date) async throws

    func updateNames(userId: Int64, firstName: String?, lastName: String?) async throws -> User?

    /// Queues the job unless one of its kind was queued for `cooldownSubject` less than `cooldown`
    /// seconds ago; returns whether it queued. One transaction, so parallel calls queue one mail.
    func queueMail(_ job: MailJob, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> Bool

    /// Seconds until `cooldownSubject` may be mailed again for `kind` (0 when it may now).
    func cooldownRemaining(kind: MailJob.Kind, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> TimeInterval

    /// Stores a new code for (purpose, user), replacing any earlier one. Used by the worker. The
    /// same code again (a retry of the same job) keeps its attempts and never brings a used or
    /// burnt code back; it only renews an unused one's expiry.
    func storeCode(_ code: OneTimeCode) async throws

    /// Checks and, on a match, spends a code and applies its effect, all in one write
    /// transaction: of N parallel redemptions of one code exactly one succeeds.
    /// `emailKey` nil accepts the code whatever address it was sent to (e-mail change).
    func redeemCode(
        purpose: CodePurpose, userId: Int64, emailKey: String?, now: Date,
        matches: @escaping @Sendable (OneTimeCode) -> Bool, effect: CodeEffect
    ) async throws -> CodeRedemption

    /// Replaces the password hash `from` by `to`, ends every session of the user and starts
    /// `session`, atomically — only if the hash is still `from` and `callerSession` still active;
    /// returns false (and changes nothing) otherwise.
    func changePassword(userId: Int64, from oldHash: String, to newHash: String, callerSession: String,
                        session: LoginSession, now: Date) async throws -> Bool
    /// The user's active sessions, newest first.
    func sessions(userId: Int64, now: Date) async throws -> [LoginSession]
    /// Ends one active session of the user; false when there is none with that id.
    func revokeSession(userId: Int64, sessionId: String, now: Date) async throws -> Bool
    /// Ends every active session of the user; returns how many.
    func revokeAllSessions(userId: Int64, now: Date) async throws -> Int

    /// The user of an active session, in one indexed lookup; nil when the session ended.
    func authenticatedUser(sessionId: String, userId: Int64, now: Date) async throws -> SessionUser?
    /// Whether a refresh token (session + user + jti) is the current one of an active session.
    func isRefreshCurrent(sessionId: String, userId: Int64, jti: String, now: Date) async throws -> Bool
    /// Replaces the session's refresh jti if `presentedJti` is current; a stale jti ends the session.
    /// A session of another user than `userId` (the token's claim) is `.inactive` and left alone:
    /// the session row, not the token, says whose it is.
    /// `.rotated` with the session's level (`level`, the presented token's, is what it usually is).
    func rotate(sessionId: String, userId: Int64, presentedJti: String, newJti: String, newExpiry: Date, level: SessionLevel,
                now: Date) async throws -> SessionChange
    /// Ends the session if `presentedJti` is current; a stale jti ends it too but reports reuse.
    /// Another user's session is `.inactive`, as for `rotate`.
    func endSession(sessionId: String, userId: Int64, presentedJti: String, now: Date) async throws -> SessionChange

    /// Deletes expired sessions, and what is past the `retention` windows (ended sessions, codes,
    /// cooldowns, MFA challenges, audit events), at most `limit` rows of each table; returns the
    /// number of rows removed.
    func purgeExpired(now: Date, retention: RetentionPolicy, limit: Int) async throws -> Int

    /// Appends one audit event.
    func recordEvent(_ record: AuditRecord) async throws
}
