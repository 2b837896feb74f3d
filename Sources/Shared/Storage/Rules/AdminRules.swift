import Foundation

/// The staff's reads and changes, for both databases, and the one home of "the last active
/// staff account stays": every change that could deactivate, demote or delete a staff account
/// takes the staff lock first (PostgreSQL; SQLite's write transaction already excludes the
/// others), then counts the other active staff accounts, so two staff users removing each other
/// at once cannot both win.
extension TransactionRunner {
    /// The users `filter` matches (every search term, each through the index when it can), by id;
    /// the count of all of them first, as DRF's paginator does.
    public func users(matching filter: UserFilter, page: PageRequest) async throws -> Page<User> {
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
        return try await snapshot(AdminRules.paged(
            from: "users", where: conditions, values, select: User.shownColumns, orderBy: "users.id", page: page, User.init))
    }

    /// A staff user's change of names and flags; deactivating ends every session at once.
    public func updateUser(id: Int64, change: AdminUserChange, now: Date) async throws -> AdminOutcome<User> {
        try await run(.writes(change.removesStaff ? [AdminRules.lockStaff] : [], then: .read(Statements.lockedUser(id: id)) { rows in
            guard let user = try rows.first.map(User.init) else { return .done(.notFound) }
            return try AdminRules.keepingOneStaff(user, removesStaff: change.removesStaff, refused: .lastStaff) {
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
                    statements += SessionSQL.endEverything(userId: id, reason: "deactivated", now: now)
                }
                return .writes(statements, then: .read(Statements.user(id: id)) { rows in
                    guard let updated = try rows.first.map(User.init) else { return .done(.notFound) }
                    return .done(.done(updated))
                })
            }
        }))
    }

    public func mailJobs(state: MailJob.State?, page: PageRequest) async throws -> Page<MailJob> {
        try await snapshot(AdminRules.paged(
            from: "mail_jobs", where: state == nil ? [] : ["state = ?"], state.map { [$0.rawValue.sqlValue] } ?? [],
            select: MailJob.columns, orderBy: "id", page: page, MailJob.init))
    }

    /// Only a dead job goes back to the queue.
    public func requeueMailJob(id: Int64, now: Date) async throws -> AdminOutcome<MailJob> {
        try await run(.read(SQLStatement("SELECT state FROM mail_jobs WHERE id = ?", id, lock: .forUpdate(of: nil))) { rows in
            guard let state = try rows.first?.text("state") else { return .done(.notFound) }
            guard state == MailJob.State.dead.rawValue else { return .done(.wrongState) }
            return .writes([MailQueueRules.requeue(dead: id, now: now), Statements.wakeWorkers], then: .read(
                SQLStatement("SELECT \(MailJob.columns) FROM mail_jobs WHERE id = ?", id)
            ) { rows in
                guard let job = try rows.first.flatMap(MailJob.init) else { return .done(.notFound) }
                return .done(.done(job))
            })
        })
    }

    /// Audit events, newest first, of one user and/or one type.
    public func events(userId: Int64?, event: String?, page: PageRequest) async throws -> Page<AuditRecord> {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let userId { conditions.append("user_id = ?"); values.append(userId.sqlValue) }
        if let event { conditions.append("event = ?"); values.append(event.sqlValue) }
        return try await snapshot(AdminRules.paged(
            from: "auth_events", where: conditions, values, select: AuditRecord.columns, orderBy: "id DESC", page: page, AuditRecord.init))
    }
}

/// The pieces of the staff rules that other rules build on.
enum AdminRules {
    /// Serializes the transactions that can remove an active staff account.
    static let lockStaff = SQLStatement("SELECT pg_advisory_xact_lock(hashtextextended('active staff', 0))", only: .postgres)

    /// Decides whether `user` may stop being active staff: `refused` when no other active
    /// staff account would be left; else goes on with `next`.
    static func keepingOneStaff<Output: Sendable>(
        _ user: User, removesStaff: Bool, refused: Output, then next: @escaping @Sendable () throws -> TransactionStep<Output>
    ) throws -> TransactionStep<Output> {
        guard removesStaff, user.isStaff, user.isActive else { return try next() }
        return .read(SQLStatement(
            "SELECT COUNT(*) AS n FROM users WHERE is_staff = ? AND is_active = ? AND id <> ?", true, true, user.id ?? 0
        )) { rows in
            try (rows.first?.int("n") ?? 0) == 0 ? .done(refused) : next()
        }
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
