import Logging
import Synchronization

/// Whether the database is serving, as the storage layer sees it: an outage (the server down,
/// the disk full) is logged once when it begins and once when it ends — not once per request,
/// which during an outage would be thousands of identical lines.
public final class StorageHealth: Sendable {
    private let state = Mutex<StorageError.Unavailability?>(nil)
    private let logger: Logger

    public init(logger: Logger = Logger(label: "storage")) {
        self.logger = logger
    }

    /// The outage going on, if any.
    public var outage: StorageError.Unavailability? { state.withLock { $0 } }

    /// An operation failed for `reason`; the first failure of an episode is logged. Returns
    /// whether this failure began the episode (PostgreSQL then refuses the requests still
    /// waiting for a connection, see `ConnectionWait`).
    @discardableResult
    func failed(_ reason: StorageError.Unavailability) -> Bool {
        let begins = state.withLock { current in
            defer { current = reason }
            return current != reason
        }
        guard begins else { return false }
        switch reason {
        case .databaseUnreachable:
            logger.error("database unreachable: requests answer 503 until it is back", metadata: ["storage.outage": "\(reason.rawValue)"])
        case .diskFull:
            logger.error("database disk full: writes answer 503 until space is freed (reads go on)",
                         metadata: ["storage.outage": "\(reason.rawValue)"])
        }
        return true
    }

    /// An operation succeeded: an outage in progress has ended (logged once).
    func succeeded() {
        // The usual case, no outage, costs one uncontended lock.
        guard let ended = state.withLock({ current -> StorageError.Unavailability? in
            defer { current = nil }
            return current
        }) else { return }
        logger.notice("database serving again", metadata: ["storage.outage": "\(ended.rawValue)"])
    }
}
