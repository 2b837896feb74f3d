import Foundation
import GRDB
import Logging
import PostgresNIO
@testable import Shared
import Testing

/// A migrated database in a fresh temporary folder.
func temporaryDatabase() async throws -> AppDatabase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID().uuidString)")
    let db = try AppDatabase.open(path: dir.appendingPathComponent("auth.sqlite").path)
    try await db.migrate()
    return db
}

/// The backends a storage test runs on: SQLite always; PostgreSQL too when
/// `AUTH_TEST_POSTGRES_URL` names a test server (`make test` sets it for its second pass).
enum TestStore: String, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    static var available: [TestStore] {
        ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_URL"].map { $0.isEmpty ? [.sqlite] : [.sqlite, .postgres] } ?? [.sqlite]
    }

    var description: String { rawValue }

    /// A migrated backend. On PostgreSQL it is the test server's database, shared by tests:
    /// tests keep to their own random keys.
    func open() async throws -> any AuthBackend {
        switch self {
        case .sqlite:
            return try await temporaryDatabase()
        case .postgres:
            let url = ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_URL"] ?? ""
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let db = try BackendServicesScope.running(try await Storage.open(try DatabaseLocation.parse(url).get(), poolSize: 4, logger: logger))
            try await db.migrate()
            return db
        }
    }

    /// A migrated backend of its own: on PostgreSQL a new database on the test server, for tests
    /// that count rows or use fixed addresses.
    func openFresh() async throws -> any AuthBackend {
        switch self {
        case .sqlite:
            return try await temporaryDatabase()
        case .postgres:
            let admin = try await open()
            let name = "shared_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await admin.execute("CREATE DATABASE \(name)")
            await admin.close()
            guard var url = URLComponents(string: ProcessInfo.processInfo.environment["AUTH_TEST_POSTGRES_URL"] ?? "") else {
                throw StorageError.notMigrated("AUTH_TEST_POSTGRES_URL")
            }
            url.path = "/" + name
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let db = try BackendServicesScope.running(
                try await Storage.open(try DatabaseLocation.parse(url.string ?? "").get(), poolSize: 4, logger: logger))
            try await db.migrate()
            return db
        }
    }

    /// A second, independent connection pool on the same database as `db` (another process's view).
    func reopen(_ db: any AuthBackend) async throws -> any AuthBackend {
        switch self {
        case .sqlite:
            guard let sqlite = db as? AppDatabase else { throw StorageError.notMigrated(db.displayName) }
            return try AppDatabase.open(path: sqlite.path)
        case .postgres:
            return try await open()
        }
    }
}

let testSecret = "unit-test-secret-key-0123456789-abcdefghijklmnop"
let cheapArgon2 = Argon2Parameters(memoryKiB: 256, iterations: 1, parallelism: 1)

extension AuthBackend {
    /// Runs one SQL statement written for both databases (tests only).
    func execute(_ sql: String) async throws {
        switch self {
        case let sqlite as AppDatabase:
            try await sqlite.pool.writeWithoutTransaction { try $0.execute(sql: sql) }
        case let postgres as PostgresBackend:
            try await postgres.client.withConnection { _ = try await $0.query(PostgresQuery(unsafeSQL: sql), logger: postgres.logger) }
        default:
            throw StorageError.notMigrated(displayName)
        }
    }

    /// The integer that a one-value query written for both databases answers (tests only).
    func integer(_ sql: String) async throws -> Int {
        switch self {
        case let sqlite as AppDatabase:
            return try await sqlite.pool.read { try Int.fetchOne($0, sql: sql) ?? 0 }
        case let postgres as PostgresBackend:
            return try await postgres.client.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: postgres.logger)
                    .collect().first?.decode(Int.self) ?? 0
            }
        default:
            throw StorageError.notMigrated(displayName)
        }
    }
}

/// The account use cases over a fresh database of either kind, a manual clock and cheap hashing.
struct ServiceFixture {
    let db: any AuthBackend
    let clock: ManualClock
    let accounts: AccountUseCases
    let tokens: TokenService
    let client = ClientInfo(ip: "127.0.0.1", userAgent: "unit-test")

    init(_ store: TestStore = .sqlite, throttle: Bool = false, rates: ThrottleRates = .defaults) async throws {
        db = try await store.openFresh()
        clock = ManualClock(Date())
        let random = SecureRandom()
        let tokens = await TokenService(secretKey: testSecret, accessTTL: 300, refreshTTL: 3_600, clock: clock, random: random)
        self.tokens = tokens
        accounts = try await AccountUseCases(
            store: db, hasher: Argon2idHasher(parameters: cheapArgon2, random: random), tokens: tokens,
            limiter: RateLimiter(enabled: throttle, rates: rates, store: db, clock: clock), codes: CodeHasher(secretKey: testSecret),
            mfaSecrets: MFASecrets(secretKey: testSecret), clock: clock, random: random, logger: Logger(label: "test"))
    }

    func signup(_ email: String, password: String = "correct horse battery staple") async throws -> AuthResult {
        try await accounts.registration.signup(.success(SignupRequest(email: email, password: password)), client: client)
    }

    func verifyEmail(_ email: String, otp: String) async throws -> AuthResult {
        try await accounts.verification.verify(.success(VerifyEmailRequest(email: email, otp: otp)), client: client)
    }

    func plantCode(_ code: String, for user: User, purpose: CodePurpose = .verifyEmail, ttl: TimeInterval = 600) async throws {
        let now = clock.now()
        try await db.storeCode(OneTimeCode(
            purpose: purpose, userId: user.id!, email: user.email,
            codeHash: CodeHasher(secretKey: testSecret).hash(code: code, purpose: purpose, emailKey: user.emailKey),
            createdAt: now, expiresAt: now.addingTimeInterval(ttl)))
    }
}

extension Insertion {
    /// The inserted value, or a test failure when the address was taken.
    func created(sourceLocation: SourceLocation = #_sourceLocation) throws -> Value {
        guard case .inserted(let value) = self else {
            Issue.record("expected an insertion, the address was taken", sourceLocation: sourceLocation)
            throw InsertionRefused()
        }
        return value
    }

    var isEmailTaken: Bool {
        if case .emailTaken = self { return true }
        return false
    }
}

struct InsertionRefused: Error {}
