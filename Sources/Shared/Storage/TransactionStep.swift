/// A rule's transaction, backend-neutral: the statements to run and the decisions made between
/// them, as a chain a backend walks inside one write transaction of its own kind. The rule is
/// the chain; a backend only runs statements (`TransactionRunner`), so each decision — is this
/// code still valid, is this refresh a reuse, is this caller over the limit — is made once.
public indirect enum TransactionStep<Output: Sendable>: Sendable {
    /// Runs a query, then decides on its rows.
    case read(SQLStatement, @Sendable ([SQLRow]) throws -> TransactionStep<Output>)
    /// Runs a statement, then decides on the number of rows it changed.
    case write(SQLStatement, @Sendable (Int) throws -> TransactionStep<Output>)
    /// Commits with this result.
    case done(Output)

    /// This chain, then what `next` makes of its result, in the same transaction: a rule built
    /// from another's answer (a second factor spent, then the login it allows).
    public func then<Next: Sendable>(_ next: @escaping @Sendable (Output) throws -> TransactionStep<Next>) throws -> TransactionStep<Next> {
        switch self {
        case .done(let value): return try next(value)
        case .read(let statement, let continuation): return .read(statement) { rows in try continuation(rows).then(next) }
        case .write(let statement, let continuation): return .write(statement) { changed in try continuation(changed).then(next) }
        }
    }

    /// Runs independent queries one after another, then decides on all their rows at once
    /// (`rows[i]` is what `statements[i]` read): reads with no decision between them, written
    /// side by side instead of nested one inside the other.
    public static func read(_ statements: [SQLStatement], then decide: @escaping @Sendable ([[SQLRow]]) throws -> TransactionStep<Output>)
        -> TransactionStep<Output> {
        precondition(!statements.isEmpty, "nothing to read")
        @Sendable func collect(_ index: Int, _ read: [[SQLRow]]) -> TransactionStep<Output> {
            .read(statements[index]) { rows in
                let read = read + [rows]
                return index + 1 < statements.count ? collect(index + 1, read) : try decide(read)
            }
        }
        return collect(0, [])
    }

    /// The statement this step runs; nil when it is done.
    var statement: SQLStatement? {
        switch self {
        case .read(let statement, _), .write(let statement, _): return statement
        case .done: return nil
        }
    }

    /// Runs `statements` in order, then goes on with `next`.
    public static func writes(_ statements: [SQLStatement], then next: TransactionStep<Output>) -> TransactionStep<Output> {
        statements.reversed().reduce(next) { rest, statement in .write(statement) { _ in rest } }
    }
}

/// Thrown by a rule that decides "no" after it has written: the backend rolls the whole
/// transaction back and `run` answers `outcome` — so a refusal is an outcome the caller
/// switches on, never an error it must know to catch. Throw it with the transaction's own
/// `Output` type.
public struct Rollback<Output: Sendable>: Error {
    public let outcome: Output

    public init(_ outcome: Output) {
        self.outcome = outcome
    }
}

/// Runs statements written for both databases — the only thing a backend does for the rules.
/// A unique index that refuses a write throws `StorageError.uniqueViolation`.
public protocol TransactionRunner: Sendable {
    /// Runs a rule's write transaction: all of it or none (a thrown error rolls it back; a thrown
    /// `Rollback` rolls it back and answers its outcome).
    func run<Output: Sendable>(_ step: TransactionStep<Output>) async throws -> Output
    /// Runs a read-only chain in one consistent snapshot, so the answers agree with each other.
    func snapshot<Output: Sendable>(_ step: TransactionStep<Output>) async throws -> Output
    /// Runs one query on its own, outside any transaction: a single statement is atomic by
    /// itself, and the reads made on every request should not pay for `BEGIN`/`COMMIT`.
    func query(_ statement: SQLStatement) async throws -> [SQLRow]
    /// Runs one write on its own, outside any transaction (for the same reason); the number of
    /// rows it changed.
    func execute(_ statement: SQLStatement) async throws -> Int
}
