/// A rule's transaction, backend-neutral: the statements to run and the decisions made between
/// them, as a chain a backend walks inside one write transaction of its own kind. The rule is
/// the chain; a backend only runs statements (`TransactionRunner`), so each decision — is this
/// code still valid, is this refresh a reuse, is this caller over the limit — is made once.
public indirect enum TransactionStep<Result: Sendable>: Sendable {
    /// Runs a query, then decides on its rows.
    case read(SQLStatement, @Sendable ([SQLRow]) throws -> TransactionStep<Result>)
    /// Runs a statement, then decides on the number of rows it changed.
    case write(SQLStatement, @Sendable (Int) throws -> TransactionStep<Result>)
    /// Commits with this result.
    case done(Result)

    /// This chain, then what `next` makes of its result, in the same transaction: a rule built
    /// from another's answer (a second factor spent, then the login it allows).
    public func then<Next: Sendable>(_ next: @escaping @Sendable (Result) throws -> TransactionStep<Next>) throws -> TransactionStep<Next> {
        switch self {
        case .done(let value): return try next(value)
        case .read(let statement, let continuation): return .read(statement) { rows in try continuation(rows).then(next) }
        case .write(let statement, let continuation): return .write(statement) { changed in try continuation(changed).then(next) }
        }
    }

    /// Runs `statements` in order, then goes on with `next`.
    public static func writes(_ statements: [SQLStatement], then next: TransactionStep<Result>) -> TransactionStep<Result> {
        statements.reversed().reduce(next) { rest, statement in .write(statement) { _ in rest } }
    }
}

/// Runs statements written for both databases — the only thing a backend does for the rules.
/// A unique index that refuses a write throws `StorageError.uniqueViolation`.
public protocol TransactionRunner: Sendable {
    /// Runs a rule's write transaction: all of it or none (a thrown error rolls it back).
    func run<Result: Sendable>(_ step: TransactionStep<Result>) async throws -> Result
    /// Runs a read-only chain in one consistent snapshot, so the answers agree with each other.
    func snapshot<Result: Sendable>(_ step: TransactionStep<Result>) async throws -> Result
    /// Runs one query on its own, outside any transaction: a single statement is atomic by
    /// itself, and the reads made on every request should not pay for `BEGIN`/`COMMIT`.
    func query(_ statement: SQLStatement) async throws -> [SQLRow]
    /// Runs one write on its own, outside any transaction (for the same reason); the number of
    /// rows it changed.
    func execute(_ statement: SQLStatement) async throws -> Int
}
