import Foundation
import Testing
@testable import Shared

@Suite("Configuration from the environment")
struct ConfigurationTests {
    @Test("Defaults of the contract")
    func defaults() throws {
        let c = try APIConfiguration.fromEnvironment([:])
        #expect(c.host == "127.0.0.1" && c.port == 8000)
        #expect(c.common.database == .sqlite(path: "queue/auth.sqlite") && c.common.databasePoolSize == 10)
        #expect(c.common.accessTTL == 300 && c.common.refreshTTL == 86_400 && c.common.otpTTL == 600)
        #expect(c.common.argon2 == Argon2Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1))
        #expect(c.throttleEnabled && c.throttleRates == .defaults)
        #expect(c.common.secretKey == nil)
        #expect(c.common.databaseDirectory == "queue")
    }

    @Test("Every problem reported at once")
    func problems() {
        do {
            _ = try APIConfiguration.fromEnvironment([
                "AUTH_PORT": "99999", "AUTH_OTP_TTL": "ten", "AUTH_ARGON2_PARALLELISM": "0", "AUTH_THROTTLE": "sometimes",
                "AUTH_DATABASE": "postgres://u:p@h/db?sslmode=sometimes",
            ])
            Issue.record("expected a configuration error")
        } catch let error as ConfigurationError {
            #expect(error.problems.count == 5)
            #expect(error.description.split(separator: "\n").count == 5)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("sqlite:// prefix and settings")
    func settings() throws {
        let c = try APIConfiguration.fromEnvironment([
            "AUTH_DATABASE": "sqlite:///tmp/x.sqlite", "AUTH_PORT": "0", "AUTH_THROTTLE": "off", "AUTH_SECRET_KEY": String(repeating: "k", count: 40),
        ])
        #expect(c.common.database == .sqlite(path: "/tmp/x.sqlite") && c.port == 0 && !c.throttleEnabled)
        #expect(c.common.secretKey?.count == 40)
    }

    @Test("PostgreSQL URLs: both schemes, sslmode, percent-encoded credentials, readable refusals")
    func postgresURLs() throws {
        let c = try APIConfiguration.fromEnvironment([
            "AUTH_DATABASE": "postgresql://app:p%40ss@db.internal:6432/auth?sslmode=require", "AUTH_DATABASE_POOL_SIZE": "4",
        ])
        #expect(c.common.database == .postgres(PostgresLocation(
            host: "db.internal", port: 6432, username: "app", password: "p@ss", database: "auth", sslMode: .require)))
        #expect(c.common.databasePoolSize == 4)
        #expect(c.common.databaseDirectory == "queue")
        #expect(!c.common.database.redacted.contains("p@ss") && !c.common.database.redacted.contains("p%40ss"))
        // Percent-decoded once: "%25" is a literal "%" in the password.
        let percent = try #require(try? DatabaseLocation.parse("postgres://u:100%25sure@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem").get())
        #expect(percent == .postgres(PostgresLocation(host: "h", username: "u", password: "100%sure", database: "db",
                                                      sslMode: .verifyFull, rootCertificate: "/etc/ca.pem")))
        let plain = try #require(try? DatabaseLocation.parse("postgres://u@localhost/db").get())
        #expect(plain == .postgres(PostgresLocation(host: "localhost", username: "u", password: nil, database: "db")))
        for bad in ["postgres://localhost/db", "postgres://u@localhost", "postgres://u@localhost/db?sslmode=maybe",
                    "postgres://u@localhost/db?timeout=3", "postgres://"] {
            #expect(throws: DatabaseLocationError.self) { try DatabaseLocation.parse(bad).get() }
        }
    }
}

@Suite("Configuration of the browser and mail settings")
struct BrowserAndMailConfigurationTests {
    @Test("AUTH_CSRF_COOKIE_DOMAIN: a bare domain (leading dot allowed), anything else refused")
    func csrfCookieDomain() throws {
        #expect(try APIConfiguration.fromEnvironment([:]).csrfCookieDomain == nil)
        #expect(try APIConfiguration.fromEnvironment(["AUTH_CSRF_COOKIE_DOMAIN": "Example.com"]).csrfCookieDomain == "example.com")
        #expect(try APIConfiguration.fromEnvironment(["AUTH_CSRF_COOKIE_DOMAIN": ".example.com"]).csrfCookieDomain == "example.com")
        for bad in ["https://example.com", "example.com:8000", "example.com/x", "exa mple.com", "-example.com", "example..com", "."] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try APIConfiguration.fromEnvironment(["AUTH_CSRF_COOKIE_DOMAIN": bad]) }
        }
    }

    @Test("AUTH_SMTP_CA_FILE must name a readable PEM file of certificates")
    func smtpCAFile() throws {
        #expect(try WorkerConfiguration.fromEnvironment([:]).caFile == nil)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pem = dir.appendingPathComponent("ca.pem")
        try Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8).write(to: pem)
        #expect(try WorkerConfiguration.fromEnvironment(["AUTH_SMTP_CA_FILE": pem.path]).caFile == pem.path)
        let notPEM = dir.appendingPathComponent("key.txt")
        try Data("hello".utf8).write(to: notPEM)
        for bad in [dir.appendingPathComponent("missing.pem").path, notPEM.path] {
            do {
                _ = try WorkerConfiguration.fromEnvironment(["AUTH_SMTP_CA_FILE": bad])
                Issue.record("expected a configuration error for \(bad)")
            } catch let error as ConfigurationError {
                #expect(error.problems == ["AUTH_SMTP_CA_FILE=\(bad): not a readable PEM file of certificates"])
            }
        }
    }

    @Test("Retention: a day of grace, 90 days of audit events, an hourly purge; shorter windows settable, a grace under the send cooldown refused")
    func retention() throws {
        #expect(try APIConfiguration.fromEnvironment([:]).common.retention == RetentionPolicy(grace: 86_400, auditEvents: 90 * 86_400, purgeInterval: 3_600))
        let short = try WorkerConfiguration.fromEnvironment([
            "AUTH_RETENTION_GRACE": "120", "AUTH_AUDIT_RETENTION_DAYS": "0.0025", "AUTH_PURGE_INTERVAL": "15", "AUTH_MAIL_RETENTION_DAYS": "0.0025",
        ])
        #expect(short.common.retention.grace == 120 && short.common.retention.purgeInterval == 15)
        #expect(abs(short.common.retention.auditEvents - 216) < 1e-6 && abs(short.retention - 216) < 1e-6)
        for (name, bad) in [("AUTH_RETENTION_GRACE", "59"), ("AUTH_AUDIT_RETENTION_DAYS", "0"), ("AUTH_PURGE_INTERVAL", "0"), ("AUTH_PURGE_INTERVAL", "hourly")] {
            do {
                _ = try APIConfiguration.fromEnvironment([name: bad])
                Issue.record("expected a configuration error for \(name)=\(bad)")
            } catch let error as ConfigurationError {
                #expect(error.problems.count == 1 && error.problems[0].hasPrefix("\(name)=\(bad): expected a number of seconds"), "\(error.problems)")
            }
        }
    }
}
