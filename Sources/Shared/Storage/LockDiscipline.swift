/// The rule every write transaction keeps so that it is right on PostgreSQL, checked as it runs
/// on both databases: a plain read whose rows a later statement of the transaction acts on must
/// lock what it read (`FOR UPDATE`, `SKIP LOCKED`, the user-row lock), unless an advisory lock
/// taken earlier serializes every transaction of its kind. SQLite's single writer makes an
/// unlocked read safe there, so without this check a forgotten lock would show only in a race
/// test on PostgreSQL; with it, any test that runs the rule fails on SQLite too, with the read named.
struct LockDiscipline {
    /// The first read that nothing locked, while no write has followed it yet.
    private var unlockedRead: SQLStatement?
    /// An advisory lock is held: the transaction is serialized with all others of its kind.
    private var serialized = false

    /// A rule that acts on rows it read without locking them.
    struct Violation: Error, CustomStringConvertible {
        let read: String
        let write: String

        var description: String {
            "a write transaction changed rows after an unlocked read; lock the read (FOR UPDATE) or take an advisory lock first. "
                + "Read: \(read) — then: \(write)"
        }
    }

    /// Notes `statement`, about to run in the transaction (on either database, whichever it is for).
    mutating func check(_ statement: SQLStatement) throws {
        let sql = statement.sql
        if sql.contains("pg_advisory_xact_lock") { serialized = true }
        if statement.changesRows {
            if let read = unlockedRead { throw Violation(read: read.sql, write: sql) }
            return
        }
        let locks = statement.lockClause != nil || sql.contains(" FOR UPDATE") || sql.contains(" FOR NO KEY UPDATE")
        if !serialized, !locks, unlockedRead == nil { unlockedRead = statement }
    }
}

extension SQLStatement {
    /// `INSERT`, `UPDATE` or `DELETE`, with or without `RETURNING`.
    var changesRows: Bool {
        let verb = sql.utf8.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
            .prefix(while: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") })
        return ["INSERT", "UPDATE", "DELETE"].contains { verb.elementsEqual($0.utf8) }
    }

    /// The row lock the statement takes on PostgreSQL, if any.
    var lockClause: Lock? {
        if case .none = lock { return nil }
        return lock
    }
}
