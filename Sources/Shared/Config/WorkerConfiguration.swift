import Foundation

/// Settings of the mail worker process: the common part plus SMTP and queue tuning.
public struct WorkerConfiguration: Sendable {
    public enum StartTLS: String, Sendable, CaseIterable {
        case off, optional, required
    }

    public var common: CommonConfiguration
    /// `AUTH_SMTP_URL`; nil writes mail to the outbox folder instead.
    public var smtpURL: SMTPURL?
    public var startTLS: StartTLS
    /// `AUTH_SMTP_CA_FILE`: PEM bundle of the authorities trusted for the SMTP server's
    /// certificate (a company CA, a self-signed relay) instead of the system's; nil: the system's.
    public var caFile: String?
    /// `AUTH_SMTP_CONNECT_TIMEOUT`, `AUTH_SMTP_TIMEOUT`: seconds.
    public var connectTimeout: TimeInterval
    public var sendTimeout: TimeInterval
    /// `AUTH_MAIL_CONCURRENCY`: sends in flight inside one worker.
    public var concurrency: Int
    /// `AUTH_MAIL_MAX_ATTEMPTS`: sends tried before a transiently failing job is dead.
    public var maxAttempts: Int
    /// `AUTH_MAIL_RETRY_BASE`, `AUTH_MAIL_RETRY_MAX`: exponential back-off bounds, seconds.
    public var retryBase: TimeInterval
    public var retryMax: TimeInterval
    /// `AUTH_MAIL_LEASE`: how long a claimed job stays reserved without renewal, seconds.
    public var lease: TimeInterval
    /// `AUTH_MAIL_RETENTION_DAYS`: `done` jobs older than this are pruned.
    public var retention: TimeInterval
    /// Folder of `.eml` files when no SMTP URL is set: `outbox/` beside the database.
    public var outboxDirectory: String
    /// `AUTH_WORKER_METRICS_PORT`: where Prometheus scrapes the worker's `GET /metrics` (on
    /// `AUTH_HOST`); nil: no metrics.
    public var metricsPort: Int?
    public var metricsHost: String = "127.0.0.1"

    public init(common: CommonConfiguration = .init(), smtpURL: SMTPURL? = nil, startTLS: StartTLS = .optional,
                caFile: String? = nil, connectTimeout: TimeInterval = 10, sendTimeout: TimeInterval = 30, concurrency: Int = 4,
                maxAttempts: Int = 8, retryBase: TimeInterval = 5, retryMax: TimeInterval = 600,
                lease: TimeInterval = 60, retention: TimeInterval = 7 * 86_400, outboxDirectory: String? = nil) {
        self.common = common
        self.smtpURL = smtpURL
        self.startTLS = startTLS
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.sendTimeout = sendTimeout
        self.concurrency = concurrency
        self.maxAttempts = maxAttempts
        self.retryBase = retryBase
        self.retryMax = retryMax
        self.lease = lease
        self.retention = retention
        self.outboxDirectory = outboxDirectory ?? (common.databaseDirectory as NSString).appendingPathComponent("outbox")
    }

    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> WorkerConfiguration {
        var env = EnvironmentReader(values)
        let common = CommonConfiguration(reading: &env)
        var smtp: SMTPURL?
        if let text = env.raw("AUTH_SMTP_URL") {
            do { smtp = try SMTPURL(text) } catch let error as SMTPURL.ParseError { env.report("AUTH_SMTP_URL: \(error.message)") } catch {}
        }
        let startTLS: StartTLS = env.choice("AUTH_SMTP_STARTTLS", default: .optional)
        let caFile = env.raw("AUTH_SMTP_CA_FILE").flatMap { $0.isEmpty ? nil : $0 }
        // Checked at start-up: a typo would otherwise surface only as failed sends.
        let pem = caFile.flatMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) }
        if let caFile, !(pem?.contains("-----BEGIN CERTIFICATE-----") ?? false) {
            env.report("AUTH_SMTP_CA_FILE=\(caFile): not a readable PEM file of certificates")
        }
        let metricsPort = env.optionalPort("AUTH_WORKER_METRICS_PORT")
        let metricsHost = env.string("AUTH_HOST", default: "127.0.0.1")
        var config = WorkerConfiguration(
            common: common, smtpURL: smtp, startTLS: startTLS, caFile: caFile,
            connectTimeout: env.seconds("AUTH_SMTP_CONNECT_TIMEOUT", default: 10, range: 0.1...300),
            sendTimeout: env.seconds("AUTH_SMTP_TIMEOUT", default: 30, range: 0.1...3_600),
            concurrency: env.integer("AUTH_MAIL_CONCURRENCY", default: 4, range: 1...64),
            maxAttempts: env.integer("AUTH_MAIL_MAX_ATTEMPTS", default: 8, range: 1...100),
            retryBase: env.seconds("AUTH_MAIL_RETRY_BASE", default: 5, range: 0.01...3_600),
            retryMax: env.seconds("AUTH_MAIL_RETRY_MAX", default: 600, range: 0.01...86_400),
            lease: env.seconds("AUTH_MAIL_LEASE", default: 60, range: 0.5...3_600),
            retention: env.seconds("AUTH_MAIL_RETENTION_DAYS", default: 7, range: 0...3_650) * 86_400)
        guard env.problems.isEmpty else { throw ConfigurationError(problems: env.problems) }
        config.metricsPort = metricsPort
        config.metricsHost = metricsHost
        return config
    }
}

extension EnvironmentReader {
    /// A duration in seconds; decimals allowed (`0.2`).
    public mutating func seconds(_ name: String, default def: TimeInterval, range: ClosedRange<TimeInterval>) -> TimeInterval {
        guard let text = raw(name) else { return def }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            report("\(name)=\(text): expected a number of seconds in \(range.lowerBound)...\(range.upperBound)")
            return def
        }
        return value
    }
}
