/// Storage failures that have a message a person can act on: the database's own trouble, never
/// a refusal of the request (those are the operations' outcomes: `Insertion.emailTaken`,
/// `CodeRedemption`, `MFAOutcome`, `SessionChange`, `AdminOutcome`).
public enum StorageError: Error, CustomStringConvertible, Equatable {
    case notWritable(String)
    case notMigrated(String)
    /// A unique index refused a write (the transaction was rolled back).
    case uniqueViolation
    /// The database server could not be reached or refused the connection.
    case unreachable(String, String)
    /// The database cannot serve this request now, for a reason that passes by itself (the
    /// server is down or every connection stayed busy past the wait; the disk is full). The
    /// request did nothing: the API answers 503 with `Retry-After`, never a 500.
    case unavailable(Unavailability)

    public enum Unavailability: String, Sendable {
        /// PostgreSQL did not lend a connection within the wait, or the connection failed.
        case databaseUnreachable
        /// SQLite could not grow its files (`SQLITE_FULL`): reads still work.
        case diskFull
    }

    public var description: String {
        switch self {
        case .notWritable(let dir):
            return "cannot write to \(dir): check that the folder exists or can be created and is writable by this user"
        case .notMigrated(let path):
            return "database \(path) is not migrated: run `AuthAPI migrate` first"
        case .unreachable(let location, let reason):
            return "cannot connect to \(location): \(reason)"
        case .uniqueViolation:
            return "a unique index refused the write"
        case .unavailable(.databaseUnreachable):
            return "the database did not answer in time"
        case .unavailable(.diskFull):
            return "the database's disk is full"
        }
    }
}
