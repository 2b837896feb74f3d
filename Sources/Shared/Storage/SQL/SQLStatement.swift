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
    /// Set for the statements PostgreSQL keeps prepared (see `PreparedSQL`).
    public var prepared: (any PreparedSQL.Type)?

    public init(_ sql: String, _ arguments: any SQLBindable..., lock: Lock = .none, only: Schema.Dialect? = nil) {
        self.sql = sql
        self.arguments = arguments.map { $0.sqlValue }
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
    /// `{hit id}` names what identifies a throttle hit (SQLite's rowid, PostgreSQL's `id`);
    /// `{user search}` is each database's indexed search condition (`UserSearch`).
    public func text(_ dialect: Schema.Dialect) -> String {
        // Bytes, not Characters: this runs for every statement of every request.
        var sql = self.sql
        if sql.utf8.contains(UInt8(ascii: "{")) {
            sql = sql.replacingOccurrences(of: "{hit id}", with: dialect == .sqlite ? "rowid" : "id")
                .replacingOccurrences(of: "{user search}", with: dialect == .sqlite ? UserSearch.sqliteIndexed : UserSearch.postgresIndexed)
        }
        guard dialect == .postgres else { return sql }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sql.utf8.count + 32)
        var n = 0
        for byte in sql.utf8 {
            if byte == UInt8(ascii: "?") {
                n += 1
                bytes.append(UInt8(ascii: "$"))
                bytes.append(contentsOf: String(n).utf8)
            } else {
                bytes.append(byte)
            }
        }
        var out = String(decoding: bytes, as: UTF8.self)
        switch lock {
        case .none: break
        case .forUpdate(let table): out += " FOR UPDATE" + (table.map { " OF " + $0 } ?? "")
        case .forUpdateSkipLocked: out += " FOR UPDATE SKIP LOCKED"
        }
        return out
    }

    /// Whether the statement changes rows (`INSERT`, `UPDATE`, `DELETE`) and returns none of
    /// its own: PostgreSQL counts its changes by an appended `RETURNING 1`.
    var needsReturningToCount: Bool {
        changesRows && sql.utf8.firstRange(of: "RETURNING".utf8) == nil
    }
}
