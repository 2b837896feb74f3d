import Foundation

/// Settings both processes read (the same variable names, the same defaults: see README).
public struct CommonConfiguration: Sendable {
    /// `AUTH_DATABASE`: the SQLite file or PostgreSQL server shared by API replicas and workers.
    public var database: DatabaseLocation
    /// `AUTH_DATABASE_POOL_SIZE`: the most connections one process opens (PostgreSQL) or
    /// concurrent readers (SQLite).
    public var databasePoolSize: Int = 10
    /// `AUTH_SECRET_KEY`, or nil when a generated key is to be loaded from beside the database.
    public var secretKey: String?
    public var accessTTL: TimeInterval
    public var refreshTTL: TimeInterval
    public var otpTTL: TimeInterval
    public var argon2: Argon2Parameters
    public var mailFrom: String
    /// `AUTH_SECRET_KEY_PREVIOUS`: keys rotated out (comma-separated); their tokens verify until they expire.
    public var previousSecretKeys: [String]
    /// `AUTH_JWT_ISSUER`: the `iss` claim set and required (empty: none).
    public var jwtIssuer: String?
    /// `AUTH_JWT_AUDIENCE`: the `aud` claim set and required (default none).
    public var jwtAudience: String?
    /// `AUTH_RETENTION_GRACE`, `AUTH_AUDIT_RETENTION_DAYS`, `AUTH_PURGE_INTERVAL`.
    public var retention: RetentionPolicy = .default

    public static let defaultDatabasePath = "queue/auth.sqlite"

    public init(
        database: DatabaseLocation = .sqlite(path: CommonConfiguration.defaultDatabasePath),
        secretKey: String? = nil,
        accessTTL: TimeInterval = 300,
        refreshTTL: TimeInterval = 86_400,
        otpTTL: TimeInterval = 600,
        argon2: Argon2Parameters = .default,
        mailFrom: String = "no-reply@localhost",
        previousSecretKeys: [String] = [],
        jwtIssuer: String? = "swift-auth",
        jwtAudience: String? = nil
    ) {
        self.database = database
        self.secretKey = secretKey
        self.accessTTL = accessTTL
        self.refreshTTL = refreshTTL
        self.otpTTL = otpTTL
        self.argon2 = argon2
        self.mailFrom = mailFrom
        self.previousSecretKeys = previousSecretKeys
        self.jwtIssuer = jwtIssuer
        self.jwtAudience = jwtAudience
    }

    public init(reading env: inout EnvironmentReader) {
        switch DatabaseLocation.parse(env.string("AUTH_DATABASE", default: Self.defaultDatabasePath)) {
        case .success(let location):
            self.database = location
        case .failure(let problem):
            env.report("AUTH_DATABASE: \(problem.message)")
            self.database = .sqlite(path: Self.defaultDatabasePath)
        }
        self.databasePoolSize = env.integer("AUTH_DATABASE_POOL_SIZE", default: 10, range: 1...1_000)
        self.secretKey = env.raw("AUTH_SECRET_KEY")
        self.accessTTL = TimeInterval(env.integer("AUTH_ACCESS_TTL", default: 300, range: 1...31_536_000))
        self.refreshTTL = TimeInterval(env.integer("AUTH_REFRESH_TTL", default: 86_400, range: 1...31_536_000))
        self.otpTTL = TimeInterval(env.integer("AUTH_OTP_TTL", default: 600, range: 1...86_400))
        self.argon2 = Argon2Parameters(
            memoryKiB: env.integer("AUTH_ARGON2_MEMORY_KIB", default: 19_456, range: 8...4_194_304),
            iterations: env.integer("AUTH_ARGON2_ITERATIONS", default: 2, range: 1...64),
            parallelism: env.integer("AUTH_ARGON2_PARALLELISM", default: 1, range: 1...64)
        )
        if argon2.memoryKiB < 8 * argon2.parallelism {
            env.report("AUTH_ARGON2_MEMORY_KIB: must be at least 8 × AUTH_ARGON2_PARALLELISM")
        }
        self.mailFrom = env.string("AUTH_MAIL_FROM", default: "no-reply@localhost")
        self.previousSecretKeys = (env.raw("AUTH_SECRET_KEY_PREVIOUS") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let issuer = env.values["AUTH_JWT_ISSUER"] {
            self.jwtIssuer = issuer.isEmpty ? nil : issuer
        } else {
            self.jwtIssuer = "swift-auth"
        }
        self.jwtAudience = env.raw("AUTH_JWT_AUDIENCE")
        self.retention = RetentionPolicy(reading: &env)
    }

    /// Folder that holds the SQLite database — or, with PostgreSQL, `queue/` under the working
    /// directory: the generated secret key and the outbox live there.
    public var databaseDirectory: String {
        switch database {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            return directory.isEmpty ? "." : directory
        case .postgres:
            return "queue"
        }
    }
}
