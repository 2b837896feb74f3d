import Foundation
import Shared
import TestSupport
import Testing

/// What an operator watches: `/readyz`, Prometheus `/metrics` of both processes on ports of
/// their own (read with prometheus_client's parser, which nobody here wrote), and JSON logs.
@Suite("Operations: readiness, metrics, JSON logs")
struct OperationsTests {
    static let parserPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../clients/metrics_parse.py").standardizedFileURL.path

    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// `GET /metrics` on `port`, parsed by prometheus_client (a document it refuses fails the test).
    static func scrape(_ port: Int) async throws -> (samples: [Sample], text: String, contentType: String?) {
        let response = try await HTTPTestClient(host: "127.0.0.1", port: port).get("/metrics")
        #expect(response.status == 200)
        let parsed = try await Process.output(of: URL(fileURLWithPath: "/usr/bin/env"), ["python3", parserPath], stdin: response.text)
        #expect(parsed.status == 0, "\(parsed.output)")
        let samples = parsed.stdout.split(separator: "\n").compactMap { line -> Sample? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = object["name"] as? String, let value = object["value"] as? Double else { return nil }
            return Sample(name: name, labels: object["labels"] as? [String: String] ?? [:], value: value)
        }
        return (samples, response.text, response.header("Content-Type"))
    }

    /// Until something answers HTTP on the port (the metrics listener starts with the process).
    static func waitForListener(_ port: Int) async throws {
        try await eventually("a metrics listener on port \(port)", timeout: .seconds(15)) {
            (try? await HTTPTestClient(host: "127.0.0.1", port: port).get("/metrics"))?.status == 200
        }
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
            .map(\.value).reduce(0, +)
    }

    @Test("AUTH_PURGE_INTERVAL: while they run, the API purges stale throttle hits and the worker prunes sent jobs past AUTH_MAIL_RETENTION_DAYS")
    func purgeInterval() async throws {
        // Windows of a second, so a hit is stale a second after it counted.
        let rates = ["login", "signup", "send_otp", "verify_email", "password_reset", "email_change", "mfa"]
            .map { "\($0)=1000/sec" }.joined(separator: ",")
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": rates, "AUTH_PURGE_INTERVAL": "1"], mode: .processes)
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: [
            "AUTH_SMTP_URL": sink.url, "AUTH_MAIL_RETENTION_DAYS": "0", "AUTH_PURGE_INTERVAL": "1",
        ])
        // Both purged once at start-up, before these rows existed: only the interval removes them.
        #expect(try await server.signup("purged@example.com").status == 201)
        _ = try await sink.waitFor(1, to: "purged@example.com")
        try await eventually("the stale throttle hits and the sent job to be purged", timeout: .seconds(15), every: .milliseconds(200),
                             observing: {
            (hits: try await server.sqlInt("SELECT COUNT(*) FROM throttle_hits"), jobs: try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs"))
        }, until: { $0 == (0, 0) })
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM users") == 1)
        #expect(await worker.stop() == 0)
    }

    @Test("/readyz: ready when the database answers and holds every migration, 503 when a migration is missing; /healthz stays liveness")
    func readiness() async throws {
        let server = try await TestServer(mode: .processes)
        let client = server.client()
        for port in server.ports {
            let ready = try await HTTPTestClient(host: "127.0.0.1", port: port).get("/readyz")
            #expect(ready.status == 200 && ready["status"] == "ready")
        }
        let table = TestBackend.isPostgres ? ("schema_migrations", "name") : ("grdb_migrations", "identifier")
        _ = try await server.sql("DELETE FROM \(table.0) WHERE \(table.1) = 'v9-user-search'")
        let unready = try await client.get("/readyz")
        #expect(unready.status == 503 && unready["status"] == "unavailable")
        #expect(try await client.get("/healthz").status == 200, "alive, only not ready")
        _ = try await server.sql("INSERT INTO \(table.0) (\(table.1)) VALUES ('v9-user-search')")
        #expect(try await client.get("/readyz/").status == 200)
    }

    @Test("API /metrics on AUTH_METRICS_PORT only: counters move with real logins, throttles, reuse and codes; route templates as labels")
    func apiMetrics() async throws {
        // Held until the server has bound it too (both set SO_REUSEADDR): no other test is handed it meanwhile.
        let reservation = try PortReservation()
        let server = try await TestServer(
            environment: ["AUTH_METRICS_PORT": "\(reservation.port)", "AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "login=4/min"],
            replicas: 1, mode: .processes)
        try await Self.waitForListener(reservation.port)
        reservation.release()
        let client = server.client()
        let metricsPort = reservation.port
        let before = try await Self.scrape(metricsPort)
        #expect(before.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(try await client.get("/metrics").status == 404, "the API's own port never serves metrics")

        let user = try await server.verifiedUser("metrics@example.com")
        let refresh = try #require(user["refresh"])
        for _ in 0..<2 { #expect(try await client.post(Path.login, ["email": "metrics@example.com", "password": TestServer.password]).status == 200) }
        #expect(try await client.post(Path.login, ["email": "metrics@example.com", "password": "wrong password!"]).status == 401)
        #expect(try await client.post(Path.login, ["email": "nobody@example.com", "password": "wrong password!"]).status == 401)
        // Two failures so far per IP; three more: the fifth failure of the minute is over login=4/min.
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try await client.post(Path.login, ["email": "nobody@example.com", "password": "x"]).status) }
        #expect(statuses.contains(429), "\(statuses)")
        let rotated = try await client.post(Path.refresh, ["refresh": refresh])
        #expect(rotated.status == 200)
        #expect(try await client.post(Path.refresh, ["refresh": refresh]).status == 401, "reuse")
        #expect(try await server.signup("coded@example.com").status == 201)
        #expect(try await client.post(Path.verifyEmail, ["email": "coded@example.com", "otp": "000000"]).status == 400)
        _ = try await client.delete("/api/accounts/sessions/not-a-session-\(UUID().uuidString)/", bearer: nil)
        _ = try await client.get("/no/such/path/\(UUID().uuidString)")

        let after = try await Self.scrape(metricsPort)
        func delta(_ name: String, _ labels: [String: String] = [:]) -> Double {
            Self.value(after.samples, name, labels) - Self.value(before.samples, name, labels)
        }
        #expect(delta("auth_logins_total", ["outcome": "success"]) == 2)
        #expect(delta("auth_logins_total", ["outcome": "invalid_credentials"]) == Double(2 + statuses.filter { $0 == 401 }.count))
        #expect(delta("auth_throttled_total", ["scope": "login"]) == Double(statuses.filter { $0 == 429 }.count))
        #expect(delta("auth_refresh_reuse_detected_total") == 1)
        #expect(delta("auth_codes_total", ["purpose": "verify_email", "outcome": "invalid"]) == 1)
        #expect(delta("auth_codes_total", ["purpose": "verify_email", "outcome": "redeemed"]) == 1)
        let login200 = ["route": "/api/accounts/login", "method": "POST", "status": "200"]
        #expect(delta("auth_http_requests_total", login200) == 2)
        #expect(delta("auth_http_request_duration_seconds_count", login200) == 2)
        #expect(Self.value(after.samples, "auth_http_request_duration_seconds_bucket", login200.merging(["le": "+Inf"]) { a, _ in a }) >= 2)
        #expect(delta("auth_http_requests_total", ["route": "/api/accounts/login", "status": "429"]) >= 1)
        #expect(Self.value(after.samples, "auth_http_requests_total", ["route": "/api/accounts/sessions/{id}", "status": "401"]) == 1)
        #expect(Self.value(after.samples, "auth_http_requests_total", ["route": "unmatched", "status": "404"]) >= 1)
        #expect(delta("auth_argon2_queue_wait_seconds_count") >= 4, "every hash waited for a pool thread, if only briefly")
        // Bounded labels: no raw path, address or id a client sent appears.
        #expect(!after.text.contains("not-a-session") && !after.text.contains("/no/such") && !after.text.contains("example.com"))
    }

    @Test("Worker /metrics on AUTH_WORKER_METRICS_PORT: sends by outcome, retries, send latency, jobs by state, oldest queued age")
    func workerMetrics() async throws {
        let sink = try await SMTPSink()
        try sink.setMode("451x:1")
        let server = try await TestServer(mode: .processes)
        let reservation = try PortReservation()
        let worker = try WorkerProcess(server: server, environment: [
            "AUTH_SMTP_URL": "smtp://127.0.0.1:\(sink.port)", "AUTH_WORKER_METRICS_PORT": "\(reservation.port)",
        ], count: 1)
        try await Self.waitForListener(reservation.port)
        reservation.release()
        #expect(try await server.signup("worker-metrics@example.com").status == 201)
        _ = try await sink.waitFor(1, to: "worker-metrics@example.com")
        _ = try await server.waitForQueue("done", count: 1)
        let scraped = try await Self.scrape(reservation.port)
        let samples = scraped.samples
        #expect(Self.value(samples, "mail_sends_total", ["kind": "verify_email", "outcome": "retry"]) == 1)
        #expect(Self.value(samples, "mail_sends_total", ["kind": "verify_email", "outcome": "sent"]) == 1)
        #expect(Self.value(samples, "mail_retries_total") == 1)
        #expect(Self.value(samples, "mail_dead_jobs_total") == 0)
        #expect(Self.value(samples, "mail_send_duration_seconds_count") == 1)
        #expect(Self.value(samples, "mail_jobs", ["state": "done"]) == 1)
        #expect(Self.value(samples, "mail_jobs", ["state": "queued"]) == 0)
        #expect(samples.contains { $0.name == "mail_oldest_queued_age_seconds" })
        #expect(try await HTTPTestClient(host: "127.0.0.1", port: reservation.port).get("/other").status == 404)
        #expect(await worker.stop() == 0)
    }

    @Test("LOG_FORMAT=json: every log line of both processes is one JSON object with dotted keys, and holds no secret")
    func jsonLogs() async throws {
        let sink = try await SMTPSink()
        let server = try await TestServer(environment: ["LOG_FORMAT": "json", "LOG_LEVEL": "debug"], mode: .processes)
        let worker = try WorkerProcess(server: server, environment: ["LOG_FORMAT": "json", "AUTH_SMTP_URL": "smtp://127.0.0.1:\(sink.port)"])
        let client = server.client()
        #expect(try await server.signup("json-logs@example.com").status == 201)
        let code = try #require(try await sink.waitFor(1, to: "json-logs@example.com")[0].code)
        let verified = try await client.post(Path.verifyEmail, ["email": "json-logs@example.com", "otp": code])
        #expect(try await client.post(Path.login, ["email": "json-logs@example.com", "password": "a wrong password"]).status == 401)
        let secrets = [TestServer.secretKey, TestServer.password, code, try #require(verified["access"]), try #require(verified["refresh"])]
        _ = await worker.stop()
        await server.stop()

        var events: [String] = []
        var lines = 0
        for line in (server.log + "\n" + worker.log).split(separator: "\n") where !line.hasPrefix("AuthAPI listening on") {
            lines += 1
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let fields = try #require(object, "not one JSON object: \(line)")
            #expect(fields["time"] is String && fields["level"] is String && fields["logger"] is String && fields["message"] is String)
            #expect(fields.keys.allSatisfy { !$0.contains(" ") }, "\(fields.keys)")
            if let event = fields["audit.event"] as? String { events.append(event) }
            for secret in secrets { #expect(!line.contains(secret), "a secret in a log line: \(line.prefix(80))") }
        }
        #expect(lines >= 5)
        #expect(events.contains("signup") && events.contains("login_failed") && events.contains("code_sent"))
        #expect(server.log.contains(#""user.id":"#) && worker.log.contains(#""job.id":"#))
        // An unknown format is refused at start-up, with the reason.
        let refused = try await TestServer.run(["migrate"], environment: server.environment.merging(["LOG_FORMAT": "yaml"]) { _, new in new })
        #expect(refused.status != 0 && refused.output.contains("LOG_FORMAT=yaml"))
    }
}
