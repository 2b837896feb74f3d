import Foundation
import GRDB

/// Runs rules' statements on SQLite: writes in one `BEGIN IMMEDIATE` transaction (so no other
/// process writes meanwhile: it stands in for PostgreSQL's row locks), snapshots in a read
/// transaction, single queries synchronously on a pooled reader; statements prepared once per
/// connection, rows read by column name. PostgreSQL-only statements are passed over.
extension AppDatabase: TransactionRunner {
    public func run<Output: Sendable>(_ first: TransactionStep<Output>) async throws -> Output {
        do {
            return try await classified { try await pool.write { db in try Self.walk(first, in: db, checking: true) } }
        } catch let rollback as Rollback<Output> {
            return rollback.outcome
        }
    }

    /// SQLite's failures that mean something to the caller, as `StorageError`: a unique or
    /// primary key refused the write; the disk is full (`SQLITE_FULL`: the transaction rolled
    /// back, nothing was written, reads go on; logged once per episode by `health`).
    func classified<T>(_ write: () async throws -> T) async throws -> T {
        do {
            let value = try await write()
            health.succeeded()
            return value
        } catch let error as DatabaseError {
            if [.SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY].contains(error.extendedResultCode) {
                throw StorageError.uniqueViolation
            }
            if error.resultCode == .SQLITE_FULL {
                health.failed(.diskFull)
                throw StorageError.unavailable(.diskFull)
            }
            throw error
        }
    }

    public func snapshot<Output: Sendable>(_ first: TransactionStep<Output>) async throws -> Output {
        try await pool.read { db in try Self.walk(first, in: db, checking: false) }
    }

    /// Synchronous on the caller's thread: a primary-key lookup costs microseconds, far less
    /// than the thread hop of an asynchronous read (see PERF_NOTES), and one runs on every
    /// authenticated request. One SELECT needs no snapshot: `unsafeRead` skips BEGIN/COMMIT.
    public func query(_ statement: SQLStatement) async throws -> [SQLRow] {
        try querySync(statement)
    }

    /// Not `async`, so that GRDB's blocking `unsafeRead` is the one called.
    func querySync(_ statement: SQLStatement) throws -> [SQLRow] {
        try pool.unsafeRead { db in try Self.fetch(statement, in: db) }
    }

    /// Without `BEGIN`/`COMMIT`: one statement is atomic by itself.
    public func execute(_ statement: SQLStatement) async throws -> Int {
        guard statement.only != .postgres else { return 0 }
        return try await classified {
            try await pool.writeWithoutTransaction { db in
                try db.cachedStatement(sql: statement.text(.sqlite)).execute(arguments: Self.arguments(statement))
                return db.changesCount
            }
        }
    }

    /// `checking`: a write transaction, held to the `LockDiscipline` (PostgreSQL's locks
    /// included, though SQLite passes over them).
    static func walk<Output>(_ first: TransactionStep<Output>, in db: Database, checking: Bool) throws -> Output {
        var step = first
        var discipline = LockDiscipline()
        while true {
            if checking, let statement = step.statement { try discipline.check(statement) }
            switch step {
            case .done(let result):
                return result
            case .read(let statement, let next):
                guard statement.only != .postgres else { step = try next([]); continue }
                step = try next(try fetch(statement, in: db))
            case .write(let statement, let next):
                guard statement.only != .postgres else { step = try next(0); continue }
                try db.cachedStatement(sql: statement.text(.sqlite)).execute(arguments: arguments(statement))
                step = try next(db.changesCount)
            }
        }
    }

    static func fetch(_ statement: SQLStatement, in db: Database) throws -> [SQLRow] {
        let prepared = try db.cachedStatement(sql: statement.text(.sqlite))
        return try Row.fetchAll(prepared, arguments: arguments(statement)).map(row)
    }

    /// Through GRDB's existential initializer: the generic one maps with a key path, unspecialized
    /// across the module boundary, and cost a quarter of the read (profile of GET me).
    static func arguments(_ statement: SQLStatement) -> StatementArguments {
        StatementArguments(statement.arguments.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .integer(let n): return n.databaseValue
            case .real(let d): return d.databaseValue
            case .text(let s): return s.databaseValue
            case .bytes(let d): return d.databaseValue
            case .boolean(let b): return (b ? 1 : 0).databaseValue
            case .null: return nil
            }
        })
    }

    static func row(_ row: Row) -> SQLRow {
        var values: [String: SQLValue] = [:]
        values.reserveCapacity(row.count)
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
