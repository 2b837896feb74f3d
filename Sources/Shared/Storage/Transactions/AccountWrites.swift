import Foundation

/// The account writes: creating users (with signup's session, mail and cooldown), the send
/// cooldown, storing a code again, the conditional password change, the names.
enum AccountWrites {
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

    /// Signup: the user, its first session, its verification mail and the cooldown that mail starts.
    static func signup(_ user: User, session: LoginSession.Draft, mail: MailJob.Draft, now: Date)
        -> TransactionStep<(User, LoginSession?)> {
        create(user) { created in
            let id = created.id ?? 0
            let opened = session.session(for: id)
            return .writes([claimCooldown(kind: mail.kind, subject: created.emailKey, seconds: 0, now: now), Statements.insert(opened)]
                           + Statements.insert(mail.job(for: id, now: now)), then: .done((created, opened)))
        }
    }

    /// Takes the send cooldown of (kind, subject) unless it was taken less than `seconds` ago.
    static func claimCooldown(kind: MailJob.Kind, subject: String, seconds: TimeInterval, now: Date) -> SQLStatement {
        SQLStatement("""
            INSERT INTO send_cooldowns (purpose, subject, last_sent_at) VALUES (?, ?, ?)
            ON CONFLICT (purpose, subject) DO UPDATE SET last_sent_at = excluded.last_sent_at
            WHERE send_cooldowns.last_sent_at <= ?
            """, kind.rawValue, subject, now, now.timeIntervalSince1970 - seconds)
    }

    /// Queues the job if its cooldown could be taken: parallel calls queue one mail. The
    /// account's row is locked first and must still be there: a deletion committing between
    /// the caller's read and this write would otherwise leave a job (and a cooldown) holding
    /// the address of an account that is gone. Deletion locks the same row, so one of the two
    /// waits for the other.
    static func queue(_ job: MailJob, cooldownSubject: String, cooldown: TimeInterval, now: Date) -> TransactionStep<Bool> {
        let claim = TransactionStep<Bool>.write(claimCooldown(kind: job.kind, subject: cooldownSubject, seconds: cooldown, now: now)) { changed in
            changed > 0 ? .writes(Statements.insert(job), then: .done(true)) : .done(false)
        }
        guard let userId = job.userId else { return claim }
        return .read(SQLStatement("SELECT id FROM users WHERE id = ?", userId, lock: .forUpdate(of: "users"))) { rows in
            rows.isEmpty ? .done(false) : claim
        }
    }

    /// A new code replaces the earlier one; the same code again (a retry of its mail) keeps its
    /// wrong tries and never brings a used or burnt code back: it only renews an unused one's expiry.
    static func store(_ code: OneTimeCode) -> TransactionStep<Void> {
        .write(SQLStatement("""
            INSERT INTO one_time_codes (purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)
            ON CONFLICT (purpose, user_id) DO UPDATE SET
                email_key = excluded.email_key, email = excluded.email, code_hash = excluded.code_hash,
                created_at = excluded.created_at, expires_at = excluded.expires_at,
                attempts = CASE WHEN one_time_codes.code_hash = excluded.code_hash THEN one_time_codes.attempts ELSE 0 END,
                used_at = NULL
            WHERE one_time_codes.code_hash <> excluded.code_hash
               OR (one_time_codes.used_at IS NULL AND one_time_codes.attempts < ?)
            """, code.purpose.rawValue, code.userId, code.emailKey, code.email, code.codeHash, code.createdAt, code.expiresAt,
            OneTimeCode.maxAttempts)) { _ in .done(()) }
    }

    /// Replaces the password hash `from` by `to`, ends every session and opens `session` — only
    /// while the caller's session is active and the hash still `from` (a reset, logout-all or
    /// another change committed meanwhile wins). The user row is locked first, as by every
    /// change to a user's sessions as a whole: one lock order, and a concurrent logout-all either
    /// commits first or sees the session this opens.
    static func changePassword(userId: Int64, from oldHash: String, to newHash: String, callerSession: String,
                               session: LoginSession, now: Date) -> TransactionStep<Bool> {
        .write(Statements.lock(user: userId)) { _ in
            .read(SQLStatement("""
                SELECT 1 AS active FROM login_sessions WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?
                """, callerSession, userId, now, lock: .forUpdate(of: nil))) { rows in
                guard !rows.isEmpty else { return .done(false) }
                return .write(SQLStatement("UPDATE users SET password = ? WHERE id = ? AND password = ?", newHash, userId, oldHash)) { changed in
                    guard changed == 1 else { return .done(false) }
                    return .writes([Statements.revokeAll(userId: userId, reason: "password_change", now: now), Statements.insert(session)],
                                   then: .done(true))
                }
            }
        }
    }

    /// Sets the names given (nil leaves one as it is); the user as it is afterwards, nil when unknown.
    static func updateNames(userId: Int64, firstName: String?, lastName: String?) -> TransactionStep<User?> {
        .read(SQLStatement("""
            UPDATE users SET first_name = COALESCE(?, first_name), last_name = COALESCE(?, last_name) WHERE id = ?
            RETURNING \(User.columns)
            """, firstName, lastName, userId)) { rows in .done(try rows.first.map(User.init)) }
    }
}
