import Foundation

/// Accounts, for both databases: creating users (signup with its session, mail and cooldown in
/// one transaction), their names, the conditional password change, and the audit trail.
extension TransactionRunner {
    public func user(emailKey: String) async throws -> User? {
        try await query(Statements.user(emailKey: emailKey)).first.map(User.init)
    }

    public func user(id: Int64) async throws -> User? {
        try await query(Statements.user(id: id)).first.map(User.init)
    }

    public func createUser(_ user: User) async throws -> Insertion<User> {
        try await inserting { try await run(AccountRules.create(user) { .done(($0, nil)) }).0 }
    }

    public func createUserQueueingVerification(
        _ user: User, session: LoginSession.Draft, mail: MailJob.Draft, now: Date
    ) async throws -> Insertion<(user: User, session: LoginSession)> {
        try await inserting {
            let (created, opened) = try await run(AccountRules.create(user) { created in
                let opened = session.session(for: created.id ?? 0)
                return .writes([CodeRules.claimCooldown(kind: mail.kind, subject: created.emailKey, seconds: 0, now: now),
                                SessionSQL.insert(opened)] + Statements.insert(mail.job(for: created.id ?? 0, now: now)),
                               then: .done((created, opened)))
            })
            return (created, opened ?? session.session(for: created.id ?? 0))
        }
    }

    /// A transaction that inserts users: the unique index on the address (or the id) answers `emailTaken`.
    func inserting<Value>(_ body: () async throws -> Value) async throws -> Insertion<Value> {
        do {
            return .inserted(try await body())
        } catch StorageError.uniqueViolation {
            return .emailTaken
        }
    }

    /// Sets the names given (nil leaves one as it is); the user as it is afterwards, nil when unknown.
    public func updateNames(userId: Int64, firstName: String?, lastName: String?) async throws -> User? {
        try await run(.read(SQLStatement("""
            UPDATE users SET first_name = COALESCE(?, first_name), last_name = COALESCE(?, last_name) WHERE id = ?
            RETURNING \(User.columns)
            """, firstName, lastName, userId)) { rows in .done(try rows.first.map(User.init)) })
    }

    /// Replaces the password hash `from` by `to`, ends every session and opens `session` — only
    /// while the caller's session is active and the hash still `from` (a reset, logout-all or
    /// another change committed meanwhile wins). The user row is locked first, as by every
    /// change to a user's sessions as a whole: one lock order, and a concurrent logout-all either
    /// commits first or sees the session this opens.
    public func changePassword(userId: Int64, from oldHash: String, to newHash: String, callerSession: String,
                               session: LoginSession, now: Date) async throws -> Bool {
        try await run(.write(Statements.lock(user: userId)) { _ in
            .read(SQLStatement("""
                SELECT 1 AS active FROM login_sessions WHERE login_sessions.id = ? AND login_sessions.user_id = ? AND \(SessionSQL.active)
                """, callerSession, userId, now, lock: .forUpdate(of: nil))) { rows in
                guard !rows.isEmpty else { return .done(false) }
                return .write(SQLStatement("UPDATE users SET password = ? WHERE id = ? AND password = ?", newHash, userId, oldHash)) { changed in
                    guard changed == 1 else { return .done(false) }
                    return .writes(SessionSQL.endEverything(userId: userId, reason: "password_change", now: now) + [SessionSQL.insert(session)],
                                   then: .done(true))
                }
            }
        })
    }

    /// Appends one audit event.
    public func recordEvent(_ record: AuditRecord) async throws {
        _ = try await execute(Statements.insert(record))
    }
}

/// The pieces of the account rules that other rules build on.
enum AccountRules {
    /// Inserts `user`; the unique index on the address refuses a taken one.
    static func create(_ user: User, then next: @escaping @Sendable (User) -> TransactionStep<(User, LoginSession?)>)
        -> TransactionStep<(User, LoginSession?)> {
        .read(SQLStatement("""
            INSERT INTO users (email, email_key, password, first_name, last_name, is_active, is_staff, is_superuser,
                               is_verified, date_joined, last_login)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, user.email, user.emailKey, user.password, user.firstName, user.lastName, user.isActive, user.isStaff,
            user.isSuperuser, user.isVerified, user.dateJoined, user.lastLogin)) { rows in
            var created = user
            created.id = try rows.first.map { try $0.int64("id") }
            return next(created)
        }
    }
}
