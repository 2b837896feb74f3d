import Foundation
import Shared
import TestSupport
import Testing

@Suite("Mail worker end to end (real SMTP server on loopback)")
struct WorkerTests {
    @Test("Signup → mail with a code arrives → verify-email works; the mail is well-formed")
    func signupToVerification() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url, "AUTH_SMTP_STARTTLS": "off",
                                                                    "AUTH_MAIL_FROM": "auth@example.org"])
        let started = ContinuousClock.now
        #expect(try await server.signup("ada@example.com", extra: ["first_name": "Ada", "last_name": "Lövelace"]).status == 201)
        let mail = try await sink.waitFor(1, to: "ada@example.com")[0]
        print("signup to mail at the sink: \(ContinuousClock.now - started)")
        #expect(mail.header("From") == "auth@example.org")
        #expect(mail.header("To") == "=?UTF-8?B?\(Data("Ada Lövelace".utf8).base64EncodedString())?= <ada@example.com>")
        #expect(mail.header("Subject")?.contains("verification code") == true)
        #expect(mail.header("Date")?.hasSuffix("+0000") == true)
        #expect(mail.header("Message-ID")?.hasPrefix("<") == true)
        #expect(mail.header("Content-Type")?.hasPrefix("multipart/alternative;") == true)
        #expect(mail.raw.contains("Content-Type: text/html; charset=utf-8"))
        #expect(mail.sixDigitRuns.count == 1)
        #expect(mail.plainText.contains("10 minutes"))
        let code = try #require(mail.code)
        let verified = try await server.client().post(Path.verifyEmail, ["email": "ada@example.com", "otp": code])
        #expect(verified.status == 200 && verified.json["is_verified"] as? Bool == true)
        // Only the keyed hash is stored.
        let stored = try #require(try await server.sql("SELECT code_hash FROM one_time_codes").first)
        #expect(stored.hasPrefix("\\x") && stored.count == 2 + 64 && !stored.contains(code))
        #expect(await worker.stop() == 0)
    }

    @Test("send-otp after the cooldown mails a new code that replaces the first")
    func sendOTPReplacesCode() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url])
        _ = try await server.signup("re@example.com")
        let first = try #require(try await sink.waitFor(1, to: "re@example.com")[0].code)
        #expect(try await server.client().post(Path.sendOTP, ["email": "re@example.com"]).status == 202)
        try await server.sql("UPDATE send_cooldowns SET last_sent_at = last_sent_at - 61")
        #expect(try await server.client().post(Path.sendOTP, ["email": "re@example.com"]).status == 202)
        let mails = try await sink.waitFor(2, to: "re@example.com")
        #expect(mails.count == 2)
        let second = try #require(mails[1].code)
        if first != second {
            let old = try await server.client().post(Path.verifyEmail, ["email": "re@example.com", "otp": first])
            #expect(old.code == "otp_invalid")
        }
        #expect(try await server.client().post(Path.verifyEmail, ["email": "re@example.com", "otp": second]).status == 200)
        _ = await worker.stop()
    }

    @Test("SMTP down during 20 signups: all answer 201 at once, every mail arrives once the server is back")
    func smtpDown() async throws {
        // Given a worker whose SMTP server is down
        let server = try await TestServer()
        // Held until the sink binds it (both set SO_REUSEADDR), so no other test's server is handed it meanwhile.
        let reservation = try PortReservation()
        let port = reservation.port
        // Enough tries that no job runs out of them however slow the machine is while the server is down.
        let worker = try WorkerProcess(server: server, environment: [
            "AUTH_SMTP_URL": "smtp://127.0.0.1:\(port)", "AUTH_SMTP_CONNECT_TIMEOUT": "1", "AUTH_MAIL_MAX_ATTEMPTS": "100",
        ])
        let client = server.client()
        // When 20 accounts sign up
        let started = ContinuousClock.now
        for i in 0..<20 {
            #expect(try await client.post(Path.signup, ["email": "down\(i)@example.com", "password": TestServer.password]).status == 201)
        }
        print("20 signups with the SMTP server down: \(ContinuousClock.now - started)")
        // Then every job has been tried and failed, and none is done or given up
        try await eventually("every job to have failed an attempt", observing: {
            try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs WHERE last_error IS NOT NULL")
        }, until: { $0 == 20 })
        let status = try await server.queueStatus()
        #expect(status["done"] as? Int == 0)
        #expect(status["dead"] as? Int == 0)
        // When the SMTP server comes up, then every mail arrives, each once
        let sink = try await SMTPSink(port: port)
        reservation.release()
        try await server.waitForQueue("done", count: 20, timeout: .seconds(30))
        let mails = sink.messages()
        #expect(mails.count == 20)
        #expect(Set(mails.map(\.envelopeTo)).count == 20)
        _ = await worker.stop()
    }

    @Test("451 is retried until delivered, exactly once")
    func transientReplies() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        try sink.setMode("451x:2")
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url])
        _ = try await server.signup("retry@example.com")
        // Done: no attempt of this job is left to come.
        try await server.waitForQueue("done", count: 1)
        #expect(sink.messages(to: "retry@example.com").count == 1)
        let attempts = try await server.sqlInt("SELECT attempts FROM mail_jobs")
        #expect(attempts == 3)
        _ = await worker.stop()
        // One job is one message: the refused attempts and the delivered one carry the same
        // Message-ID and the same code, so a receiver can drop a repeat and any copy's code works.
        let delivered = try #require(sink.messages(to: "retry@example.com").first, "delivered before the job was marked done")
        let refused = sink.rejectedMessages()
        #expect(refused.count == 2)
        let messageID = try #require(delivered.header("Message-ID"))
        #expect(refused.map { $0.header("Message-ID") } == [messageID, messageID])
        #expect(refused.map(\.code) == [delivered.code, delivered.code])
        let code = try #require(delivered.code)
        let verified = try await server.client().post(Path.verifyEmail, ["email": "retry@example.com", "otp": code])
        #expect(verified.status == 200)
    }

    @Test("550 parks the job as dead; requeue-dead delivers it")
    func permanentFailure() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        try sink.setMode("550")
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url])
        _ = try await server.signup("dead@example.com")
        let status = try await server.waitForQueue("dead", count: 1)
        let deadJobs = status["dead_jobs"] as? [[String: Any]] ?? []
        #expect((deadJobs.first?["last_error"] as? String)?.contains("550") == true)
        #expect(deadJobs.first?["attempts"] as? Int == 1)
        let human = try await server.worker(["status"])
        #expect(human.output.contains("dead") && human.output.contains("550"))
        try sink.setMode("ok")
        let requeue = try await server.worker(["requeue-dead", "--id", "\(deadJobs.first?["id"] as? Int ?? 0)"])
        #expect(requeue.status == 0 && requeue.output.contains("requeued 1 job"))
        try await sink.waitFor(1, to: "dead@example.com")
        #expect(try await server.worker(["requeue-dead", "--id", "999"]).status != 0)
        _ = await worker.stop()
    }

    @Test("A worker killed with SIGKILL in the middle of a send: the mail still arrives")
    func killedMidSend() async throws {
        // Given a worker in the middle of a send (the SMTP server holds its DATA for 3 s)
        let server = try await TestServer()
        let sink = try await SMTPSink()
        try sink.setMode("slow:3")
        let env = ["AUTH_SMTP_URL": sink.url, "AUTH_MAIL_LEASE": "1"]
        let first = try WorkerProcess(server: server, environment: env)
        _ = try await server.signup("killed@example.com")
        try await sink.waitForEvent("DATA <killed@example.com>")
        // When it is killed without a chance to clean up, and another worker starts
        await first.kill()
        try sink.setMode("ok")
        let second = try WorkerProcess(server: server, environment: env)
        // Then the job is done and the mail arrived (at worst twice; the newest code is the valid one)
        try await server.waitForQueue("done", count: 1, timeout: .seconds(30))
        let code = try #require(sink.messages(to: "killed@example.com").last?.code, "delivered before the job was marked done")
        #expect(try await server.client().post(Path.verifyEmail, ["email": "killed@example.com", "otp": code]).status == 200)
        _ = await second.stop()
    }

    @Test("Two workers: every job delivered exactly once")
    func twoWorkers() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        let client = server.client()
        for i in 0..<30 {
            #expect(try await client.post(Path.signup, ["email": "two\(i)@example.com", "password": TestServer.password]).status == 201)
        }
        let env = ["AUTH_SMTP_URL": sink.url, "AUTH_MAIL_CONCURRENCY": "2"]
        let a = try WorkerProcess(server: server, environment: env)
        let b = try WorkerProcess(server: server, environment: env)
        // Every job done: no send of any of them is left to come.
        try await server.waitForQueue("done", count: 30, timeout: .seconds(30))
        let mails = sink.messages()
        #expect(mails.count == 30)
        #expect(Set(mails.map(\.envelopeTo)).count == 30)
        #expect(await a.stop() == 0)
        #expect(await b.stop() == 0)
    }

    @Test("run --once drains what is due and exits; no SMTP URL writes .eml files to the outbox")
    func onceAndOutbox() async throws {
        let server = try await TestServer()
        for i in 0..<3 { _ = try await server.signup("once\(i)@example.com") }
        let result = try await server.worker(["run", "--once"])
        #expect(result.status == 0)
        #expect(result.output.contains("handled 3 jobs"))
        let outbox = server.stateDirectory.appendingPathComponent("outbox")
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 3)
        let mail = ReceivedMail(raw: try String(contentsOf: outbox.appendingPathComponent(files[0]), encoding: .utf8))
        #expect(mail.code != nil)
        #expect(try await server.queueStatus()["done"] as? Int == 3)
        #expect(try await server.worker(["run", "--once"]).output.contains("handled 0 jobs"))
    }

    @Test("SMTP AUTH with credentials from the URL; the password never appears in logs, status or errors")
    func smtpAuthentication() async throws {
        let server = try await TestServer()
        let secret = "s3cret-p4ss"
        let sink = try await SMTPSink(auth: "mailer:\(secret)")
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": "smtp://mailer:\(secret)@127.0.0.1:\(sink.port)"])
        _ = try await server.signup("auth@example.com")
        try await sink.waitFor(1, to: "auth@example.com")
        _ = await worker.stop()
        // Wrong password: refused by the server (535) and parked as dead; still no secret anywhere.
        let wrong = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": "smtp://mailer:not-\(secret)@127.0.0.1:\(sink.port)"])
        _ = try await server.signup("auth2@example.com")
        try await server.waitForQueue("dead", count: 1, context: "(worker log: \(wrong.log))")
        _ = await wrong.stop()
        let status = try await server.worker(["status", "--json"]).output
        for text in [worker.log, wrong.log, status] {
            #expect(!text.contains(secret))
        }
        #expect(worker.log.contains("smtp://mailer:***@127.0.0.1"))
    }

    @Test("STARTTLS required against a server without TLS: the job is dead, not sent in clear")
    func startTLSRequired() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url, "AUTH_SMTP_STARTTLS": "required"])
        _ = try await server.signup("tls@example.com")
        try await server.waitForQueue("dead", count: 1)
        #expect(sink.messages().isEmpty)
        _ = await worker.stop()
    }

    @Test("A job sent again after its code was used (a lost acknowledgement) repeats the message but not the code's life")
    func resentJobKeepsCodeSpent() async throws {
        let server = try await TestServer()
        _ = try await server.verifiedUser("resend@example.com")
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url, "AUTH_SMTP_STARTTLS": "off"])
        let client = server.client()
        #expect(try await client.post(Path.passwordReset, ["email": "resend@example.com"]).status == 202)
        let first = try #require(try await sink.waitFor(1, to: "resend@example.com").first)
        let code = try #require(first.code)
        let confirm = ["email": "resend@example.com", "otp": code, "new_password": "a fresh long passphrase"]
        #expect(try await client.post(Path.passwordResetConfirm, confirm).status == 200)
        // The worker's acknowledgement was lost: the job runs again.
        try await server.sql("UPDATE mail_jobs SET state = 'queued', run_at = 0 WHERE kind = 'password_reset'")
        let both = try await sink.waitFor(2, to: "resend@example.com")
        #expect(both[1].header("Message-ID") == first.header("Message-ID") && both[1].code == code)
        let replay = try await client.post(Path.passwordResetConfirm, ["email": "resend@example.com", "otp": code, "new_password": "yet another passphrase"])
        #expect(replay.status == 400 && replay.code == "otp_invalid")
        _ = await worker.stop()
    }

    /// A relay with a certificate from a private CA (here self-signed for 127.0.0.1).
    static func selfSignedCertificate(in directory: URL) async throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("smtp-cert.pem").path
        let key = directory.appendingPathComponent("smtp-key.pem").path
        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=smtp-test",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", certificate],
            environment: ProcessInfo.processInfo.environment, directory: directory, stdin: nil)
        guard result.status == 0 else { throw TestServerError.failed("openssl: \(result.output)") }
        return (certificate, key)
    }

    @Test("A relay with a private CA: refused without AUTH_SMTP_CA_FILE (curl 60), delivered over STARTTLS with it")
    func privateCertificateAuthority() async throws {
        let server = try await TestServer()
        let tls = try await Self.selfSignedCertificate(in: server.directory)
        let sink = try await SMTPSink(tls: tls)
        let environment = ["AUTH_SMTP_URL": sink.url, "AUTH_SMTP_STARTTLS": "required", "AUTH_MAIL_RETRY_BASE": "0.2"]
        let untrusting = try WorkerProcess(server: server, environment: environment)
        _ = try await server.signup("relay@example.com")
        try await eventually("the certificate to be refused (curl 60)", observing: {
            try await server.sql("SELECT last_error FROM mail_jobs").first ?? ""
        }, until: { $0.contains("curl 60") })
        #expect(sink.messages().isEmpty)
        _ = await untrusting.stop()

        let trusting = try WorkerProcess(server: server, environment: environment.merging(["AUTH_SMTP_CA_FILE": tls.certificate]) { $1 })
        let mails = try await sink.waitFor(1, to: "relay@example.com")
        #expect(mails.count == 1 && mails[0].code != nil)
        _ = await trusting.stop()
        #expect(trusting.log.contains("smtp.ca_file"))
    }
}
