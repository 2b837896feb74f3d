import Foundation
import NIOCore
import PostgresNIO
import Synchronization

/// Runs rules' statements on PostgreSQL: a write or snapshot is one transaction on one pooled
/// connection (retried on serialization failures and deadlocks), a single query runs in
/// autocommit; `$n` placeholders and lock clauses, rows read by column name. SQLite-only
/// statements are passed over.
extension PostgresBackend: TransactionRunner {
    public func run<Output: Sendable>(_ first: TransactionStep<Output>) async throws -> Output {
        do {
            return try await transaction { [self] connection in try await walk(first, on: connection, checking: true) }
        } catch let rollback as Rollback<Output> {
            return rollback.outcome
        } catch where Self.isUniqueViolation(error) {
            throw StorageError.uniqueViolation
        }
    }

    public func snapshot<Output: Sendable>(_ first: TransactionStep<Output>) async throws -> Output {
        try await transaction { [self] connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            return try await walk(first, on: connection, checking: false)
        }
    }

    /// On any pooled connection, in autocommit: one statement is its own transaction.
    public func query(_ statement: SQLStatement) async throws -> [SQLRow] {
        guard statement.only != .sqlite else { return [] }
        let logger = self.logger
        return try await withPooledConnection { connection in
            try await Self.rows(statement, counted: false, on: connection, logger: logger).map(Self.row)
        }
    }

    /// In autocommit: one statement is atomic by itself, and `BEGIN`/`COMMIT` would be two
    /// more round trips.
    public func execute(_ statement: SQLStatement) async throws -> Int {
        guard statement.only != .sqlite else { return 0 }
        let logger = self.logger
        do {
            return try await withPooledConnection { connection in
                try await Self.rows(statement, counted: true, on: connection, logger: logger).count
            }
        } catch where Self.isUniqueViolation(error) {
            throw StorageError.uniqueViolation
        }
    }

    /// `checking`: a write transaction, held to the `LockDiscipline`.
    func walk<Output>(_ first: TransactionStep<Output>, on connection: PostgresConnection, checking: Bool) async throws -> Output {
        var step = first
        var discipline = LockDiscipline()
        while true {
            if checking, let statement = step.statement { try discipline.check(statement) }
            switch step {
            case .done(let result):
                return result
            case .read(let statement, let next):
                guard statement.only != .sqlite else { step = try next([]); continue }
                let rows = try await Self.rows(statement, counted: false, on: connection, logger: logger)
                step = try next(try rows.map(Self.row))
            case .write(let statement, let next):
                guard statement.only != .sqlite else { step = try next(0); continue }
                // `RETURNING 1` makes the changed rows countable, as SQLite's changes().
                let rows = try await Self.rows(statement, counted: true, on: connection, logger: logger)
                step = try next(rows.count)
            }
        }
    }

    /// The statement's rows: prepared on this connection when it has a prepared text (see
    /// `PreparedSQL`), else parsed and planned by the server for this one run.
    static func rows(_ statement: SQLStatement, counted: Bool, on connection: PostgresConnection,
                     logger: Logger) async throws -> [PostgresRow] {
        let query = try query(statement, counted: counted)
        if let prepared = statement.prepared {
            return try await Self.prepared(prepared, query, on: connection, logger: logger)
        }
        return try await connection.rows(query, logger: logger)
    }

    private static func prepared<Text: PreparedSQL>(_ text: Text.Type, _ query: PostgresQuery, on connection: PostgresConnection,
                                                    logger: Logger) async throws -> [PostgresRow] {
        // One name, one text: a template used with another text (a write run as a read) runs unprepared.
        guard PreparedTexts.remember(Text.name, query.sql) == query.sql else {
            return try await connection.rows(query, logger: logger)
        }
        try connection.ensureOpen()
        var rows: [PostgresRow] = []
        for try await row in try await connection.execute(Prepared<Text>(bindings: query.binds), logger: logger) {
            rows.append(row)
        }
        return rows
    }

    static func query(_ statement: SQLStatement, counted: Bool) throws -> PostgresQuery {
        var sql = statement.text(.postgres)
        if counted, statement.needsReturningToCount { sql += " RETURNING 1" }
        var binds = PostgresBindings()
        for value in statement.arguments {
            switch value {
            case .integer(let n): try binds.append(n)
            case .real(let d): try binds.append(d)
            case .text(let s): try binds.append(s)
            case .bytes(let d): try binds.append(d)
            case .boolean(let b): try binds.append(b)
            case .null: binds.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    static func row(_ row: PostgresRow) throws -> SQLRow {
        var values: [String: SQLValue] = [:]
        for cell in row {
            guard cell.bytes != nil else {
                values[cell.columnName] = .null
                continue
            }
            switch cell.dataType {
            case .int2, .int4, .int8: values[cell.columnName] = .integer(try cell.decode(Int64.self))
            case .float4, .float8, .numeric: values[cell.columnName] = .real(try cell.decode(Double.self))
            case .bool: values[cell.columnName] = .boolean(try cell.decode(Bool.self))
            case .bytea: values[cell.columnName] = .bytes(try cell.decode(Data.self))
            default: values[cell.columnName] = .text(try cell.decode(String.self))
            }
        }
        return SQLRow(values)
    }
}

/// A `PreparedSQL` text as postgres-nio's prepared statement: the name and the rendered text
/// are per type, the bindings per run.
struct Prepared<Text: PreparedSQL>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { Text.name }
    static var sql: String { PreparedTexts.text(Text.name) }
    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The PostgreSQL text of each prepared statement, rendered from its template on first use (a
/// static property of a generic type cannot be stored).
enum PreparedTexts {
    private static let texts = Mutex<[String: String]>([:])

    /// The text kept for `name`: `sql` unless another was kept first.
    static func remember(_ name: String, _ sql: String) -> String {
        texts.withLock { texts in
            if let kept = texts[name] { return kept }
            texts[name] = sql
            return sql
        }
    }

    static func text(_ name: String) -> String {
        texts.withLock { $0[name] ?? "" }
    }
}
