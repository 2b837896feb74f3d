import Foundation

/// Writing imported users (`DjangoUserImport`): the ids they had, in one transaction, and the
/// id sequence moved past them on PostgreSQL (SQLite's AUTOINCREMENT follows the largest id
/// inserted by itself), so the next signup gets the next id.
enum UserImportRules {
    /// Rows per statement: a few hundred keep both databases' bound-parameter limits far away.
    static let batch = 200

    /// The given ids and address keys that already have an account, in batches.
    static func conflicts(ids: [Int64], emailKeys: [String]) -> TransactionStep<(ids: Set<Int64>, emailKeys: Set<String>)> {
        @Sendable func step(_ offset: Int, _ foundIds: Set<Int64>, _ foundKeys: Set<String>) -> TransactionStep<(ids: Set<Int64>, emailKeys: Set<String>)> {
            guard offset < max(ids.count, emailKeys.count) else { return .done((foundIds, foundKeys)) }
            let someIds = Array(ids.dropFirst(offset).prefix(batch)), someKeys = Array(emailKeys.dropFirst(offset).prefix(batch))
            return .read(SQLStatement(
                "SELECT id, email_key FROM users WHERE id IN (\(SQLStatement.placeholders(max(1, someIds.count)))) "
                    + "OR email_key IN (\(SQLStatement.placeholders(max(1, someKeys.count))))",
                arguments: (someIds.isEmpty ? [.integer(0)] : someIds.map(\.sqlValue)) + (someKeys.isEmpty ? [.text("")] : someKeys.map(\.sqlValue))
            )) { rows in
                var foundIds = foundIds, foundKeys = foundKeys
                for row in rows {
                    let id = try row.int64("id"), key = try row.text("email_key")
                    if someIds.contains(id) { foundIds.insert(id) }
                    if someKeys.contains(key) { foundKeys.insert(key) }
                }
                return step(offset + batch, foundIds, foundKeys)
            }
        }
        return step(0, [], [])
    }

    /// Inserts the users with their ids; returns the id the next signup gets.
    static func insert(_ users: [User]) -> TransactionStep<Int64> {
        let columns = "id, email, email_key, password, first_name, last_name, is_active, is_staff, is_superuser, is_verified, "
            + "date_joined, last_login"
        let statements = stride(from: 0, to: users.count, by: batch).map { start -> SQLStatement in
            let some = users[start..<min(start + batch, users.count)]
            let values = some.flatMap { user -> [SQLValue] in
                [(user.id ?? 0).sqlValue, user.email.sqlValue, user.emailKey.sqlValue, user.password.sqlValue, user.firstName.sqlValue,
                 user.lastName.sqlValue, user.isActive.sqlValue, user.isStaff.sqlValue, user.isSuperuser.sqlValue,
                 user.isVerified.sqlValue, user.dateJoined.sqlValue, user.lastLogin.sqlValue]
            }
            let rows = Array(repeating: "(" + SQLStatement.placeholders(12) + ")", count: some.count).joined(separator: ", ")
            return SQLStatement("INSERT INTO users (\(columns)) VALUES \(rows)", arguments: values)
        }
        return .writes(statements + [
            SQLStatement("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))", only: .postgres),
        ], then: .read(SQLStatement("SELECT MAX(id) AS last FROM users")) { rows in
            .done((try rows.first?.optionalInt64("last") ?? 0) + 1)
        })
    }
}
