import Foundation

/// Where the data lives, parsed from `AUTH_DATABASE`: a SQLite file (the embedded default) or a
/// PostgreSQL server (several machines). Everything above `Shared` sees only `AuthBackend`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses `AUTH_DATABASE`: `postgres://` or `postgresql://` URLs select PostgreSQL; a file
    /// path, optionally prefixed by `sqlite://`, selects SQLite. Returns a readable problem
    /// instead of a value when the URL is malformed.
    public static func parse(_ text: String) -> Result<DatabaseLocation, DatabaseLocationError> {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            return PostgresLocation.parse(text).map { .postgres($0) }
        }
        var path = text
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) }
        guard !path.isEmpty else { return .failure(.init(message: "empty SQLite path")) }
        return .success(.sqlite(path: path))
    }

    /// For logs and messages: the password is never shown.
    public var redacted: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let location): return location.redacted
        }
    }
}

public struct DatabaseLocationError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A PostgreSQL server as libpq's URL form names it:
/// `postgres://user:pass@host:port/db?sslmode=disable|allow|prefer|require|verify-ca|verify-full`,
/// with `&sslrootcert=/path/ca.pem` for a private certificate authority.
public struct PostgresLocation: Sendable, Equatable {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// `sslrootcert`: a PEM file of the certificate authorities trusted for `verify-ca` and
    /// `verify-full` (a private CA, as managed PostgreSQL services use); default: the system's.
    public var rootCertificate: String?

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String,
                sslMode: SSLMode = .prefer, rootCertificate: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.rootCertificate = rootCertificate
    }

    static func parse(_ text: String) -> Result<PostgresLocation, DatabaseLocationError> {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            return .failure(.init(message: "not a PostgreSQL URL (postgres://user:pass@host:port/db)"))
        }
        guard let user = components.user, !user.isEmpty else {
            return .failure(.init(message: "the PostgreSQL URL names no user"))
        }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        guard !database.isEmpty, !database.contains("/") else {
            return .failure(.init(message: "the PostgreSQL URL names no database (…/db)"))
        }
        var mode = SSLMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = SSLMode(rawValue: value) else {
                    return .failure(.init(message: "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else {
                    return .failure(.init(message: "sslrootcert must name a PEM file of trusted certificates"))
                }
                rootCertificate = value
            default:
                return .failure(.init(message: "unknown PostgreSQL URL parameter \(item.name) (sslmode and sslrootcert are read)"))
            }
        }
        return .success(PostgresLocation(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host,
            port: components.port ?? 5432,
            // URLComponents has already percent-decoded user, password and path: once is right.
            username: user,
            password: components.password,
            database: database,
            sslMode: mode, rootCertificate: rootCertificate))
    }

    public var redacted: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }
}
