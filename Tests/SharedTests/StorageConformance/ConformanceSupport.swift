import Foundation
import GRDB
import Logging
import Testing
import PostgresNIO
import TestSupport
@testable import Shared

/// Helpers of the storage conformance suites: one set of tests, run on every available backend
/// (`TestStore.available`), each on a fresh database of its own (`TestStore.openFresh`), with
/// explicit `now` dates. Dates are whole seconds or exact binary fractions, so the Unix seconds
/// (a double on both databases) compare exactly.
enum Conformance {
    /// A fixed instant every test counts from.
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    static func logger() -> Logger {
        var logger = Logger(label: "storage-conformance")
        logger.logLevel = .warning
        return logger
    }

    /// A second, independent connection pool on the very database `db` uses (another process).
    /// `TestStore.reopen` cannot serve here: on PostgreSQL it opens the test server's shared
    /// database, not the fresh one `openFresh` made.
    static func secondPool(_ db: any AuthBackend) async throws -> any AuthBackend {
        switch db {
        case let sqlite as AppDatabase:
            return try AppDatabase.open(path: sqlite.path)
        case let postgres as PostgresBackend:
            return try BackendServicesScope.running(
                try await PostgresBackend.open(postgres.location, poolSize: 4, listenForJobs: false, logger: logger()))
        default:
            throw StorageError.notMigrated(db.displayName)
        }
    }

    /// An empty database of the store's kind that nothing has migrated yet.
    static func openUnmigrated(_ store: TestStore) async throws -> any AuthBackend {
        switch store {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
            return try AppDatabase.open(path: dir.appendingPathComponent("auth.sqlite").path)
        case .postgres:
            let admin = try await store.open()
            guard let server = admin as? PostgresBackend else { throw StorageError.notMigrated(admin.displayName) }
            let name = "conformance_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await admin.execute("CREATE DATABASE \(name)")
            var location = server.location
            location.database = String(name)
            await admin.close()
            return try BackendServicesScope.running(try await PostgresBackend.open(location, poolSize: 4, listenForJobs: false, logger: logger()))
        }
    }

    /// Another SQLite process in the middle of a write: a connection of its own that holds the
    /// write lock of `db`'s file. First it creates the empty bookkeeping table that GRDB's
    /// migrator creates first, and `pools` read the schema again, so that while it holds the lock
    /// each pool's migrator gets as far as reading which steps are applied (nothing) and then
    /// waits for the lock. Returns what commits and lets go, to call from a thread of its own:
    /// `AppDatabase.migrate` waits for the lock blocking its thread, which may be every thread
    /// of the concurrency pool. PostgreSQL: nil (nothing to hold).
    static func holdWriteLock(_ db: any AuthBackend, pools: [any AuthBackend]) async throws -> (@Sendable () throws -> Void)? {
        guard let sqlite = db as? AppDatabase else { return nil }
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        configuration.busyMode = .timeout(AppDatabase.busyTimeout)
        let holder = try DatabaseQueue(path: sqlite.path, configuration: configuration)
        try await holder.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        }
        for pool in pools { try await pool.execute("SELECT COUNT(*) FROM grdb_migrations") }
        try await holder.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        return {
            try holder.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
            try holder.close()
        }
    }

    /// Runs `body` on a thread of its own after `delay` seconds, outside the concurrency pool.
    /// The delay is the point where it is used: a lock held for a while, so that what races for
    /// it gets to wait (nothing observable says that it waits).
    static func onOwnThread(after delay: TimeInterval, _ body: @escaping @Sendable () -> Void) {
        Thread {
            Thread.sleep(forTimeInterval: delay)
            body()
        }.start()
    }

    /// The end of work done on a thread of its own: nil when it succeeded, else its error.
    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var result: String??

        func finish(_ body: () throws -> Void) {
            let outcome: String?
            do {
                try body()
                outcome = nil
            } catch {
                outcome = "\(error)"
            }
            lock.withLock { result = .some(outcome) }
        }

        /// Waits (up to 30 s) for `finish`; nil when the work succeeded, else its error.
        func value() async throws -> String? {
            try await eventually("the work on its own thread to finish", timeout: .seconds(30),
                                 observing: { lock.withLock { result } }, until: { $0 != nil }) ?? nil
        }
    }

    /// The number of applied migrations the database recorded.
    static func recordedMigrations(_ db: any AuthBackend) async throws -> Int {
        db is AppDatabase
            ? try await db.integer("SELECT COUNT(*) FROM grdb_migrations")
            : try await db.integer("SELECT COUNT(*) FROM schema_migrations")
    }

    // MARK: Models

    static func user(_ email: String, password: String = "hash-1", verified: Bool = false, active: Bool = true,
                     joined: Date = t0) -> User {
        User(email: email, password: password, isActive: active, isVerified: verified, dateJoined: joined)
    }

    /// Inserts a user and returns its id.
    static func createUser(_ db: any AuthBackend, _ email: String, password: String = "hash-1", verified: Bool = false,
                           active: Bool = true) async throws -> Int64 {
        let created = try await db.createUser(user(email, password: password, verified: verified, active: active)).created()
        guard let id = created.id else { throw StorageError.notMigrated("no id assigned to \(email)") }
        return id
    }

    static func session(_ id: String, userId: Int64, jti: String = "jti-1", created: Date = t0,
                        ttl: TimeInterval = 3_600, userAgent: String = "agent", ip: String = "10.0.0.1") -> LoginSession {
        LoginSession(id: id, userId: userId, refreshJti: jti, createdAt: created, expiresAt: created.addingTimeInterval(ttl),
                     userAgent: userAgent, ip: ip)
    }

    /// Opens a session the way a login does.
    @discardableResult
    static func openSession(_ db: any AuthBackend, _ id: String, userId: Int64, jti: String = "jti-1", created: Date = t0,
                            ttl: TimeInterval = 3_600) async throws -> LoginSession {
        let opened = session(id, userId: userId, jti: jti, created: created, ttl: ttl)
        try await db.recordLogin(userId: userId, session: opened, upgrade: nil, now: created)
        return opened
    }

    static func job(_ kind: MailJob.Kind = .verifyEmail, userId: Int64 = 1, email: String = "someone@example.com",
                    now: Date = t0, nonce: String = "nonce") -> MailJob {
        MailJob(kind: kind, payload: .init(userId: userId, email: email), now: now, nonce: nonce)
    }

    /// Queues a job without a cooldown in the way (a subject of its own) and returns its id.
    static func enqueue(_ db: any AuthBackend, _ kind: MailJob.Kind = .verifyEmail, email: String = "someone@example.com",
                        runAt: Date = t0) async throws -> Int64 {
        // Mail is only queued for an account that exists (`AccountWrites.queue`): each job gets its own.
        let owner = try await createUser(db, "owner-\(UUID().uuidString.prefix(13).lowercased())@example.com")
        let queued = try await db.queueMail(job(kind, userId: owner, email: email, now: runAt, nonce: "n-\(UUID().uuidString)"),
                                            cooldownSubject: "subject-\(UUID().uuidString)", cooldown: 60, now: runAt)
        guard queued else { throw StorageError.notMigrated("job not queued") }
        return Int64(try await db.integer("SELECT MAX(id) FROM mail_jobs"))
    }

    static func code(_ purpose: CodePurpose = .verifyEmail, userId: Int64, email: String, hash: UInt8,
                     created: Date = t0, ttl: TimeInterval = 600) -> OneTimeCode {
        OneTimeCode(purpose: purpose, userId: userId, email: email, codeHash: Data([hash, hash, hash]), createdAt: created,
                    expiresAt: created.addingTimeInterval(ttl))
    }

    /// A `matches` closure that accepts the code whose hash is `hash`: what the real caller does
    /// with the presented code's keyed hash.
    static func presenting(_ hash: UInt8) -> @Sendable (OneTimeCode) -> Bool {
        let presented = Data([hash, hash, hash])
        return { $0.codeHash == presented }
    }

    static func isRedeemed(_ outcome: CodeRedemption) -> Bool {
        if case .redeemed = outcome { return true }
        return false
    }

    static func redeemedUser(_ outcome: CodeRedemption) -> User? {
        if case .redeemed(let user) = outcome { return user }
        return nil
    }

    /// SQL string literal.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// One `mail_jobs` row as stored, for checking that an operation changed nothing.
struct StoredJob: Equatable, CustomStringConvertible {
    var state: String?
    var attempts: Int
    var runAt: Double?
    var leaseOwner: String?
    var leaseExpiresAt: Double?
    var lastError: String?
    var updatedAt: Double?

    static func read(_ db: any AuthBackend, id: Int64) async throws -> StoredJob {
        let row = "FROM mail_jobs WHERE id = \(id)"
        return StoredJob(
            state: try await db.text("SELECT state \(row)"),
            attempts: try await db.integer("SELECT attempts \(row)"),
            runAt: try await db.real("SELECT run_at \(row)"),
            leaseOwner: try await db.text("SELECT lease_owner \(row)"),
            leaseExpiresAt: try await db.real("SELECT lease_expires_at \(row)"),
            lastError: try await db.text("SELECT last_error \(row)"),
            updatedAt: try await db.real("SELECT updated_at \(row)"))
    }

    var description: String {
        "\(state ?? "-") attempts=\(attempts) run_at=\(runAt.map { "\($0)" } ?? "-") owner=\(leaseOwner ?? "-") "
            + "lease=\(leaseExpiresAt.map { "\($0)" } ?? "-") error=\(lastError ?? "-") updated=\(updatedAt.map { "\($0)" } ?? "-")"
    }
}

/// One `login_sessions` row as stored.
struct StoredSession: Equatable, CustomStringConvertible {
    var refreshJti: String?
    var lastUsedAt: Double?
    var expiresAt: Double?
    var revokedAt: Double?
    var revokeReason: String?

    static func read(_ db: any AuthBackend, id: String) async throws -> StoredSession {
        let row = "FROM login_sessions WHERE id = \(Conformance.quoted(id))"
        return StoredSession(
            refreshJti: try await db.text("SELECT refresh_jti \(row)"),
            lastUsedAt: try await db.real("SELECT last_used_at \(row)"),
            expiresAt: try await db.real("SELECT expires_at \(row)"),
            revokedAt: try await db.real("SELECT revoked_at \(row)"),
            revokeReason: try await db.text("SELECT revoke_reason \(row)"))
    }

    var description: String {
        "jti=\(refreshJti ?? "-") used=\(lastUsedAt.map { "\($0)" } ?? "-") expires=\(expiresAt.map { "\($0)" } ?? "-") "
            + "revoked=\(revokedAt.map { "\($0)" } ?? "-") reason=\(revokeReason ?? "-")"
    }
}

extension AuthBackend {
    /// The double (or NULL) that a one-value query written for both databases answers (tests only).
    func real(_ sql: String) async throws -> Double? {
        switch self {
        case let sqlite as AppDatabase:
            return try await sqlite.pool.read { try Double.fetchOne($0, sql: sql) }
        case let postgres as PostgresBackend:
            return try await postgres.client.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: postgres.logger)
                    .collect().first?.decode(Double?.self) ?? nil
            }
        default:
            throw StorageError.notMigrated(displayName)
        }
    }

    /// The text (or NULL) that a one-value query written for both databases answers (tests only).
    func text(_ sql: String) async throws -> String? {
        switch self {
        case let sqlite as AppDatabase:
            return try await sqlite.pool.read { try String.fetchOne($0, sql: sql) }
        case let postgres as PostgresBackend:
            return try await postgres.client.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: postgres.logger)
                    .collect().first?.decode(String?.self) ?? nil
            }
        default:
            throw StorageError.notMigrated(displayName)
        }
    }

    /// Rows of `table`, optionally only those matching `condition`.
    func rows(_ table: String, where condition: String? = nil) async throws -> Int {
        try await integer("SELECT COUNT(*) FROM \(table)" + (condition.map { " WHERE \($0)" } ?? ""))
    }
}

/// The storage conformance suites, one per area (`UserStorageTests`, `CodeStorageTests`, …), so
/// that `swift test --filter StorageConformance` selects them all.
@Suite("Storage conformance", .backendServices)
enum StorageConformance {}
