import Foundation

/// What is stored about one account as a whole, for both databases: the export, the deletion
/// (the one home of it, for the user themselves and for staff alike), and the import of users
/// from Django.
extension TransactionRunner {
    /// Everything stored about the user that may be shown to them, from one snapshot: the user,
    /// every stored session, the audit events and mail jobs of the account, whether MFA is on. The
    /// rows are read whole here; what is shown of them (never a hash, code, secret or token) is
    /// the response's choice.
    public func accountExport(userId: Int64) async throws -> AccountExport? {
        try await snapshot(.read([
            Statements.user(id: userId),
            SQLStatement("SELECT \(LoginSession.columns) FROM login_sessions WHERE user_id = ? ORDER BY created_at DESC, id DESC", userId),
            SQLStatement("SELECT \(AuditRecord.columns) FROM auth_events WHERE user_id = ? ORDER BY id", userId),
            SQLStatement("SELECT \(MailJob.columns) FROM mail_jobs WHERE user_id = ? ORDER BY id", userId),
            MFARules.status(userId: userId),
            ProviderGrant.statement(userId: userId),
        ]) { rows in
            let (users, sessions, events, jobs, mfa, grants) = (rows[0], rows[1], rows[2], rows[3], rows[4].first, rows[5])
            guard let user = try users.first.map(User.init) else { return .done(nil) }
            return .done(AccountExport(
                user: user, sessions: try sessions.map(LoginSession.init), events: try events.compactMap(AuditRecord.init),
                mailJobs: try jobs.compactMap(MailJob.init), totp: try (mfa?.int("totp") ?? 0) > 0,
                recoveryCodesLeft: try mfa?.int("codes_left") ?? 0, grants: try grants.map(ProviderGrant.init(row:))))
        })
    }

    /// The user row goes, and with it (by the foreign keys' cascade) sessions, codes, second
    /// factors and login challenges; mail jobs of the account, send cooldowns and rate-limit
    /// counters that hold its address go too. Audit events stay, naming the id only (they never
    /// hold an address or a name). The deletion notice is queued in the same transaction; the
    /// queue forgets its address once it is sent. The last active staff account is never deleted.
    public func deleteAccount(id: Int64, throttleKeys: @escaping @Sendable (User) -> [String], notice: @escaping @Sendable (User) -> MailJob,
                              now: Date) async throws -> AdminOutcome<User> {
        try await run(.writes([AdminRules.lockStaff], then: .read(Statements.lockedUser(id: id)) { rows in
            guard let user = try rows.first.map(User.init) else { return .done(.notFound) }
            return try AdminRules.keepingOneStaff(user, removesStaff: true, refused: .lastStaff) {
                let keys = throttleKeys(user)
                var statements = [
                    // Cooldowns of the address and of an address an e-mail change was sending a code to.
                    SQLStatement("""
                        DELETE FROM send_cooldowns WHERE subject = ? OR subject IN (SELECT email_key FROM one_time_codes WHERE user_id = ?)
                        """, user.emailKey, id),
                    SQLStatement("DELETE FROM mail_jobs WHERE user_id = ?", id),
                    SQLStatement("DELETE FROM users WHERE id = ?", id),
                ]
                if !keys.isEmpty {
                    statements.insert(SQLStatement(
                        "DELETE FROM throttle_hits WHERE key IN (\(SQLStatement.placeholders(keys.count)))", arguments: keys.map(\.sqlValue)),
                        at: 0)
                }
                return .writes(statements + Statements.insert(notice(user)), then: .done(.done(user)))
            }
        }))
    }

    /// Which of these ids and address keys already have an account (`import-django`'s check),
    /// in batches that keep both databases' bound-parameter limits far away.
    public func importConflicts(ids: [Int64], emailKeys: [String]) async throws -> (ids: Set<Int64>, emailKeys: Set<String>) {
        var foundIds: Set<Int64> = [], foundKeys: Set<String> = []
        for offset in stride(from: 0, to: max(ids.count, emailKeys.count), by: UserImport.batch) {
            let someIds = Array(ids.dropFirst(offset).prefix(UserImport.batch)), someKeys = Array(emailKeys.dropFirst(offset).prefix(UserImport.batch))
            let rows = try await query(SQLStatement(
                "SELECT id, email_key FROM users WHERE id IN (\(SQLStatement.placeholders(max(1, someIds.count)))) "
                    + "OR email_key IN (\(SQLStatement.placeholders(max(1, someKeys.count))))",
                arguments: (someIds.isEmpty ? [.integer(0)] : someIds.map(\.sqlValue)) + (someKeys.isEmpty ? [.text("")] : someKeys.map(\.sqlValue))))
            for row in rows {
                let id = try row.int64("id"), key = try row.text("email_key")
                if someIds.contains(id) { foundIds.insert(id) }
                if someKeys.contains(key) { foundKeys.insert(key) }
            }
        }
        return (foundIds, foundKeys)
    }

    /// Inserts imported users with their own ids, all or none, and moves PostgreSQL's id sequence
    /// past them (SQLite's AUTOINCREMENT follows the largest id inserted by itself), so the next
    /// signup gets the next id, which this answers.
    public func importUsers(_ users: [User]) async throws -> Insertion<Int64> {
        let columns = "id, email, email_key, password, first_name, last_name, is_active, is_staff, is_superuser, is_verified, "
            + "date_joined, last_login"
        let statements = stride(from: 0, to: users.count, by: UserImport.batch).map { start -> SQLStatement in
            let some = users[start..<min(start + UserImport.batch, users.count)]
            let values = some.flatMap { user -> [SQLValue] in
                [(user.id ?? 0).sqlValue, user.email.sqlValue, user.emailKey.sqlValue, user.password.sqlValue, user.firstName.sqlValue,
                 user.lastName.sqlValue, user.isActive.sqlValue, user.isStaff.sqlValue, user.isSuperuser.sqlValue,
                 user.isVerified.sqlValue, user.dateJoined.sqlValue, user.lastLogin.sqlValue]
            }
            let rows = Array(repeating: "(" + SQLStatement.placeholders(12) + ")", count: some.count).joined(separator: ", ")
            return SQLStatement("INSERT INTO users (\(columns)) VALUES \(rows)", arguments: values)
        }
        return try await inserting {
            try await run(.writes(statements + [
                SQLStatement("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))", only: .postgres),
            ], then: .read(SQLStatement("SELECT MAX(id) AS last FROM users")) { rows in
                .done((try rows.first?.optionalInt64("last") ?? 0) + 1)
            }))
        }
    }
}

/// How imported users are written.
enum UserImport {
    /// Rows per statement: a few hundred keep both databases' bound-parameter limits far away.
    static let batch = 200
}
