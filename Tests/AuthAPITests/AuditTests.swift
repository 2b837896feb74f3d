import Foundation
import Shared
import Testing

@Suite("Audit trail and logs")
struct AuditTests {
    @Test("A full run at trace level: audit events stored with user, IP and user agent; no secret in any log line")
    func auditAndSecretFreeLogs() async throws {
        let smtpPassword = "smtp-pass-\(UUID().uuidString.prefix(8))"
        let sink = try await SMTPSink(auth: "mailer:\(smtpPassword)")
        let server = try await TestServer(environment: ["LOG_LEVEL": "trace"], mode: .processes)
        let worker = try WorkerProcess(server: server, environment: [
            "LOG_LEVEL": "trace", "AUTH_SMTP_URL": "smtp://mailer:\(smtpPassword)@127.0.0.1:\(sink.port)",
        ])
        let client = server.client()
        var secrets: [String] = [TestServer.secretKey, smtpPassword, TestServer.password]
        let agent = ("User-Agent", "AuditProbe/2.0")

        _ = try await client.send(.post, Path.signup, body: Data(#"{"email":"audit@example.com","password":"\#(TestServer.password)"}"#.utf8), headers: [agent])
        let code = try #require(try await sink.waitFor(1, to: "audit@example.com")[0].code)
        secrets.append(code)
        let verified = try await client.post(Path.verifyEmail, ["email": "audit@example.com", "otp": code])
        let wrong = "wrong-password-\(UUID().uuidString.prefix(6))"
        secrets.append(wrong)
        _ = try await client.send(.post, Path.login, body: Data(#"{"email":"audit@example.com","password":"\#(wrong)"}"#.utf8), headers: [agent])
        let login = try await client.send(.post, Path.login, body: Data(#"{"email":"audit@example.com","password":"\#(TestServer.password)"}"#.utf8), headers: [agent])
        let access = try #require(login["access"]), refresh = try #require(login["refresh"])
        secrets += [access, refresh, try #require(verified["access"]), try #require(verified["refresh"])]
        #expect(try await client.get(Path.me, bearer: access).status == 200)
        let rotated = try await client.post(Path.refresh, ["refresh": refresh])
        secrets += [try #require(rotated["access"]), try #require(rotated["refresh"])]
        #expect(try await client.post(Path.refresh, ["refresh": refresh]).status == 401)  // reuse
        // Reset with a mailed code, then change the password.
        _ = try await client.post(Path.passwordReset, ["email": "audit@example.com"])
        let resetCode = try #require(try await sink.waitFor(2, to: "audit@example.com")[1].code)
        secrets.append(resetCode)
        let newPassword = "reset-password-\(UUID().uuidString.prefix(6))"
        secrets.append(newPassword)
        #expect(try await client.post(Path.passwordResetConfirm, ["email": "audit@example.com", "otp": resetCode, "new_password": newPassword]).status == 200)
        let again = try await client.post(Path.login, ["email": "audit@example.com", "password": newPassword])
        let againAccess = try #require(again["access"])
        secrets += [againAccess, try #require(again["refresh"])]
        #expect(try await client.post(Path.logoutAll, [:], bearer: againAccess).status == 205)
        // Both mails' jobs settled, so the worker has logged all it will about them.
        try await server.waitForQueue("done", count: 2)
        _ = await worker.stop()
        await server.stop()

        let logs = server.log + worker.log
        #expect(logs.contains("audit.event=login_failed"))
        for secret in secrets {
            #expect(!logs.contains(secret), "a secret appears in the logs: \(secret.prefix(12))…")
        }

        let kinds = Set(try await server.sql("SELECT event FROM auth_events ORDER BY id").compactMap(AuditEvent.init(rawValue:)))
        for kind: AuditEvent in [.signup, .codeSent, .codeVerified, .loginFailed, .loginSucceeded, .refreshReuseDetected,
                                 .passwordReset, .logoutAll] {
            #expect(kinds.contains(kind), "\(kind)")
        }
        let failed = try await server.sql("""
            SELECT user_id || ' ' || ip || ' ' || user_agent || ' ' || detail FROM auth_events WHERE event = 'login_failed' ORDER BY id LIMIT 1
            """)
        #expect(failed == ["1 127.0.0.1 AuditProbe/2.0 wrong_password"])
        #expect(try await server.sql("SELECT detail FROM auth_events WHERE event = 'code_sent' ORDER BY id LIMIT 1") == ["verify_email"])
    }
}
