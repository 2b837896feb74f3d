import Foundation

/// The staff's reads and changes, and the one home of "the last active staff account stays":
/// every change that could deactivate, demote or delete a staff account takes the staff lock
/// first (PostgreSQL; SQLite's write transaction already excludes the others), then counts the
/// other active staff accounts, so two staff users removing each other at once cannot both win.
enum AdminRules {
    /// Serializes the transactions that can remove an active staff account.
    static let lockStaff = SQLStatement("SELECT pg_advisory_xact_lock(hashtextextended('active staff', 0))", only: .postgres)

    /// The user, locked for the change (PostgreSQL).
    static func lockedUser(id: Int64) -> SQLStatement {
        SQLStatement("SELECT \(User.shownColumns) FROM users WHERE id = ?", id, lock: .forUpdate(of: "users"))
    }

    /// Decides whether `user` may stop being active staff: `.lastStaff` when no other active
    /// staff account would be left; else goes on with `next`.
    static func keepingOneStaff<Result: Sendable>(
        _ user: User, removesStaff: Bool, refused: Result, then next: @escaping @Sendable () throws -> TransactionStep<Result>
    ) throws -> TransactionStep<Result> {
        guard removesStaff, user.isStaff, user.isActive else { return try next() }
        return .read(SQLStatement(
            "SELECT COUNT(*) AS n FROM users WHERE is_staff = ? AND is_active = ? AND id <> ?", true, true, user.id ?? 0
        )) { rows in
            try (rows.first?.int("n") ?? 0) == 0 ? .done(refused) : next()
        }
    }

    /// A staff user's change of names and flags; deactivating ends every session at once.
    static func update(id: Int64, change: AdminUserChange, now: Date) -> TransactionStep<AdminOutcome<User>> {
        .writes(change.removesStaff ? [lockStaff] : [], then: .read(lockedUser(id: id)) { rows in
            guard let user = try rows.first.map(User.init) else { return .done(.notFound) }
            return try keepingOneStaff(user, removesStaff: change.removesStaff, refused: .lastStaff) {
                var sets: [String] = []
                var values: [SQLValue] = []
                func set(_ column: String, _ value: (any SQLBindable)?) {
                    guard let value else { return }
                    sets.append("\(column) = ?")
                    values.append(value.sqlValue)
                }
                set("first_name", change.firstName)
                set("last_name", change.lastName)
                set("is_active", change.isActive)
                set("is_staff", change.isStaff)
                set("is_verified", change.isVerified)
                var statements: [SQLStatement] = []
                if !sets.isEmpty {
                    statements.append(SQLStatement("UPDATE users SET \(sets.joined(separator: ", ")) WHERE id = ?", arguments: values + [id.sqlValue]))
                }
                if change.isActive == false {
                    // The row lock above already excludes a password change's new session meanwhile.
                    statements.append(Statements.revokeAll(userId: id, reason: "deactivated", now: now))
                }
                return .writes(statements, then: .read(Statements.user(id: id)) { rows in
                    guard let updated = try rows.first.map(User.init) else { return .done(.notFound) }
                    return .done(.done(updated))
                })
            }
        })
    }

    /// The users `filter` matches (every search term, each through the index when it can), by id; the count of all of them first, as DRF's paginator does.
    static func users(matching filter: UserFilter, page: PageRequest) -> TransactionStep<Page<User>> {
        var conditions: [String] = []
        var values: [SQLValue] = []
        for term in filter.terms {
            conditions.append(UserSearch.condition(term))
            values.append(term.sqlValue)
        }
        for (column, flag) in [("is_verified", filter.isVerified), ("is_active", filter.isActive), ("is_staff", filter.isStaff)] {
            guard let flag else { continue }
            conditions.append("users.\(column) = ?")
            values.append(flag.sqlValue)
        }
        return paged(from: "users", where: conditions, values, select: User.shownColumns, orderBy: "users.id", page: page, User.init)
    }

    static func mailJobs(state: MailJob.State?, page: PageRequest) -> TransactionStep<Page<MailJob>> {
        paged(from: "mail_jobs", where: state == nil ? [] : ["state = ?"], state.map { [$0.rawValue.sqlValue] } ?? [],
              select: MailJob.columns, orderBy: "id", page: page, MailJob.init)
    }

    static func mailJob(id: Int64) -> SQLStatement {
        SQLStatement("SELECT \(MailJob.columns) FROM mail_jobs WHERE id = ?", id)
    }

    /// Only a dead job goes back to the queue.
    static func requeue(id: Int64, now: Date) throws -> TransactionStep<AdminOutcome<MailJob>> {
        .read(SQLStatement("SELECT state FROM mail_jobs WHERE id = ?", id, lock: .forUpdate(of: nil))) { rows in
            guard let state = try rows.first?.text("state") else { return .done(.notFound) }
            guard state == MailJob.State.dead.rawValue else { return .done(.wrongState) }
            return try MailQueueTransitions.requeueDead(id: id, now: now).then { _ in
                .read(mailJob(id: id)) { rows in
                    guard let job = try rows.first.flatMap(MailJob.init) else { return .done(.notFound) }
                    return .done(.done(job))
                }
            }
        }
    }

    /// Audit events, newest first, of one user and/or one type.
    static func events(userId: Int64?, event: String?, page: PageRequest) -> TransactionStep<Page<AuditRecord>> {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let userId { conditions.append("user_id = ?"); values.append(userId.sqlValue) }
        if let event { conditions.append("event = ?"); values.append(event.sqlValue) }
        return paged(from: "auth_events", where: conditions, values, select: AuditRecord.columns, orderBy: "id DESC", page: page,
                     AuditRecord.init)
    }

    /// One page of a table's rows that match every condition, with the count of all of them
    /// first (as DRF's paginator counts); rows this version cannot read are left out.
    static func paged<Item: Sendable>(
        from table: String, where conditions: [String], _ values: [SQLValue], select columns: String, orderBy order: String,
        page: PageRequest, _ decode: @escaping @Sendable (SQLRow) throws -> Item?
    ) -> TransactionStep<Page<Item>> {
        let filtered = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return .read(SQLStatement("SELECT COUNT(*) AS n FROM \(table)\(filtered)", arguments: values)) { rows in
            let count = try rows.first?.int("n") ?? 0
            let page = page.resolved(count: count)
            return .read(SQLStatement(
                "SELECT \(columns) FROM \(table)\(filtered) ORDER BY \(order) LIMIT ? OFFSET ?",
                arguments: values + [page.size.sqlValue, page.offset.sqlValue]
            )) { rows in
                .done(Page(count: count, items: try rows.compactMap(decode), request: page))
            }
        }
    }
}
