/// One statement in the SQL both databases understand, with `?` placeholders: the text of a
/// rule's reads and writes is written once. The few differences are flags the backend applies:
/// a row lock (`FOR UPDATE` on PostgreSQL; SQLite's write transaction already excludes every
/// other writer) and statements that only one database needs (advisory locks, notifications).
public struct SQLStatement: Sendable {
    public enum Lock: Sendable {
        case none
        /// `FOR UPDATE [OF table]` on PostgreSQL.
        case forUpdate(of: String?)
        /// `FOR UPDATE SKIP LOCKED` on PostgreSQL: rows another transaction holds are passed over,
        /// so several workers claim side by side, each row to one of them.
        case forUpdateSkipLocked
    }

    public var sql: String
    public var arguments: [SQLValue]
    public var lock: Lock = .none
    /// Run only on this database; nil: on both.
    public var only: Schema.Dialect?

    public init(_ sql: String, _ arguments: any SQLBindable..., lock: Lock = .none, only: Schema.Dialect? = nil) {
        self.sql = sql
        self.arguments = arguments.map(\.sqlValue)
        self.lock = lock
        self.only = only
    }

    /// A statement whose arguments are counted at run time (an `IN (?, ?, …)` list).
    public init(_ sql: String, arguments: [SQLValue], lock: Lock = .none, only: Schema.Dialect? = nil) {
        self.sql = sql
        self.arguments = arguments
        self.lock = lock
        self.only = only
    }

    /// `?, ?, …`: one placeholder per value of an `IN` list.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// The text for `dialect`: PostgreSQL's `$n` placeholders and lock clause, SQLite's `?`;
    /// `{hit id}` names what identifies a throttle hit (SQLite's rowid, PostgreSQL's `id`).
    public func text(_ dialect: Schema.Dialect) -> String {
        let sql = self.sql.replacingOccurrences(of: "{hit id}", with: dialect == .sqlite ? "rowid" : "id")
        guard dialect == .postgres else { return sql }
        var out = ""
        var n = 0
        for character in sql {
            if character == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(character)
            }
        }
        switch lock {
        case .none: break
        case .forUpdate(let table): out += " FOR UPDATE" + (table.map { " OF " + $0 } ?? "")
        case .forUpdateSkipLocked: out += " FOR UPDATE SKIP LOCKED"
        }
        return out
    }
}
