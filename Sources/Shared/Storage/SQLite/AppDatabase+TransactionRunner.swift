import Foundation
import GRDB

/// Runs rules' transactions on SQLite: one `BEGIN IMMEDIATE` write transaction (so no other
/// process writes meanwhile: it stands in for PostgreSQL's row locks), statements prepared once
/// per connection, rows read by column name. PostgreSQL-only statements are passed over.
extension AppDatabase: TransactionRunner {
    public func run<Result: Sendable>(_ first: TransactionStep<Result>) async throws -> Result {
        do {
            return try await pool.write { db in
                var step = first
                while true {
                    switch step {
                    case .done(let result):
                        return result
                    case .read(let statement, let next):
                        guard statement.only != .postgres else { step = try next([]); continue }
                        let prepared = try db.cachedStatement(sql: statement.text(.sqlite))
                        step = try next(try Row.fetchAll(prepared, arguments: Self.arguments(statement)).map(Self.row))
                    case .write(let statement, let next):
                        guard statement.only != .postgres else { step = try next(0); continue }
                        try db.cachedStatement(sql: statement.text(.sqlite)).execute(arguments: Self.arguments(statement))
                        step = try next(db.changesCount)
                    }
                }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StorageError.uniqueViolation
        }
    }

    static func arguments(_ statement: SQLStatement) -> StatementArguments {
        StatementArguments(statement.arguments.map { value -> DatabaseValue in
            switch value {
            case .integer(let n): return n.databaseValue
            case .real(let d): return d.databaseValue
            case .text(let s): return s.databaseValue
            case .bytes(let d): return d.databaseValue
            case .boolean(let b): return (b ? 1 : 0).databaseValue
            case .null: return .null
            }
        })
    }

    static func row(_ row: Row) -> SQLRow {
        var values: [String: SQLValue] = [:]
        for (column, value) in row {
            switch value.storage {
            case .null: values[column] = .null
            case .int64(let n): values[column] = .integer(n)
            case .double(let d): values[column] = .real(d)
            case .string(let s): values[column] = .text(s)
            case .blob(let d): values[column] = .bytes(d)
            }
        }
        return SQLRow(values)
    }
}
