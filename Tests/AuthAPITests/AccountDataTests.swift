import Foundation
import Shared
import TestSupport
import Testing

/// The caller's own data end to end, with the real worker and SMTP sink: the export holds
/// everything stored and no secret; deletion leaves no address or name in any column of any
/// table once the notice is sent, ends every token, and frees the address.
@Suite("Your data: export and deletion")
struct AccountDataTests {
    /// Every (table, column) whose text holds `needle` (case-insensitive), over every table of the database.
    static func columnsHolding(_ needle: String, in server: TestServer) async throws -> [String] {
        let tables = TestBackend.isPostgres
            ? try await server.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
            : try await server.sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        var found: [String] = []
        for table in tables {
            let columns = TestBackend.isPostgres
                ? try await server.sql("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '\(table)'")
                : try await server.sql("SELECT name FROM pragma_table_info('\(table)')")
            for column in columns {
                let text = TestBackend.isPostgres ? "lower(\"\(column)\"::text)" : "lower(CAST(\"\(column)\" AS TEXT))"
                if try await server.sqlInt("SELECT COUNT(*) FROM \"\(table)\" WHERE \(text) LIKE '%\(needle.lowercased())%'") > 0 {
                    found.append("\(table).\(column)")
                }
            }
        }
        return found
    }

    @Test("GET /me/export/: the user, every session, the audit events and the mail jobs — never a hash, code, secret or token")
    func export() async throws {
        let sink = try await SMTPSink()
        let server = try await TestServer()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": "smtp://127.0.0.1:\(sink.port)"])
        let client = server.client()
        #expect(try await server.signup("export@example.com", extra: ["first_name": "Ex", "last_name": "Port"]).status == 201)
        let code = try #require(try await sink.waitFor(1, to: "export@example.com")[0].code)
        let verified = try await client.post(Path.verifyEmail, ["email": "export@example.com", "otp": code])
        let access = try #require(verified["access"]), refresh = try #require(verified["refresh"])
        #expect(try await client.post(Path.logout, ["refresh": refresh]).status == 205)
        let login = try await client.send(.post, Path.login, body: try JSONSerialization.data(withJSONObject: [
            "email": "export@example.com", "password": TestServer.password]), headers: [("User-Agent", "ExportProbe/1.0")])
        let current = try #require(login["access"])
        _ = await worker.stop()

        let response = try await client.get(Path.me + "export/", bearer: current)
        #expect(response.status == 200)
        #expect(response.header("Content-Disposition") == #"attachment; filename="account-export.json""#)
        #expect(response.header("Cache-Control") == "no-store")
        let document = response.json
        let user = try #require(document["user"] as? [String: Any])
        #expect(user["email"] as? String == "export@example.com" && user["first_name"] as? String == "Ex" && user["is_active"] as? Bool == true)
        let sessions = try #require(document["sessions"] as? [[String: Any]])
        #expect(sessions.count == 3, "signup's, verify-email's (logged out) and the login's")
        #expect(sessions.contains { $0["revoked_at"] is String && $0["revoke_reason"] as? String != nil })
        let eventRows = document["audit_events"] as? [[String: Any]] ?? []
        #expect(eventRows.allSatisfy { $0["user_agent"] is String && $0["ip"] is String })
        #expect(eventRows.contains { $0["type"] as? String == "login_succeeded" && $0["user_agent"] as? String == "ExportProbe/1.0" },
                "the User-Agent stored with an event is part of the data")
        let events = eventRows.compactMap { $0["type"] as? String }
        #expect(events.contains("signup") && events.contains("code_verified") && events.contains("logout") && events.contains("login_succeeded"))
        let jobs = try #require(document["mail_jobs"] as? [[String: Any]])
        #expect(jobs.count == 1 && jobs[0]["kind"] as? String == "verify_email" && jobs[0]["to"] as? String == "export@example.com")
        #expect((document["mfa"] as? [String: Any])?["totp"] as? Bool == false)
        // Nothing secret: the hash, the code, any token, a session's refresh jti.
        let hash = try #require(try await server.sql("SELECT password FROM users WHERE email_key = 'export@example.com'").first)
        let jtis = try await server.sql("SELECT refresh_jti FROM login_sessions")
        for secret in [hash, code, access, refresh, current, TestServer.secretKey] + jtis {
            #expect(!response.text.contains(secret), "the export holds a secret: \(secret.prefix(10))…")
        }
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM auth_events WHERE event = 'data_exported'") == 1)
        #expect(try await client.get(Path.me + "export/").status == 401)
    }

    @Test("DELETE /me/: password (and the second factor) re-checked; afterwards no address or name anywhere, tokens dead, a notice sent, the address free")
    func deletion() async throws {
        let sink = try await SMTPSink()
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on"])
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": "smtp://127.0.0.1:\(sink.port)"])
        let client = server.client()
        let email = "delia.gone@example.com"
        #expect(try await server.signup(email, extra: ["first_name": "Delianame", "last_name": "Goneaway"]).status == 201)
        let code = try #require(try await sink.waitFor(1, to: email)[0].code)
        let verified = try await client.post(Path.verifyEmail, ["email": email, "otp": code])
        let access = try #require(verified["access"]), refresh = try #require(verified["refresh"])
        let id = try #require(verified.json["id"] as? Int)
        // Leave traces: a failed login (rate-limit rows keyed by the address), a pending e-mail change.
        #expect(try await client.post(Path.login, ["email": email, "password": "not the password"]).status == 401)
        let change = try await client.post(Path.emailChange, ["new_email": "delia.new@example.com", "password": TestServer.password], bearer: access)
        #expect(change.status == 202 || change.status == 200, "\(change.text)")
        _ = try await sink.waitFor(1, to: "delia.new@example.com")
        #expect(try await Self.columnsHolding("delia", in: server).isEmpty == false, "the traces are there before")

        let missing = try await client.send(.delete, Path.me, body: Data("{}".utf8), headers: [("Authorization", "Bearer \(access)")])
        #expect(missing.status == 400 && missing.fieldErrors("password") == ["This field is required."])
        let wrong = try await client.send(.delete, Path.me, body: Data(#"{"password": "nope nope"}"#.utf8), headers: [("Authorization", "Bearer \(access)")])
        #expect(wrong.status == 400 && wrong.fieldErrors("password") == ["Incorrect password."])
        let deleted = try await client.send(.delete, Path.me, body: Data(#"{"password": "\#(TestServer.password)"}"#.utf8),
                                            headers: [("Authorization", "Bearer \(access)")])
        #expect(deleted.status == 204 && deleted.body.isEmpty)
        #expect(try await client.get(Path.me, bearer: access).status == 401)
        #expect(try await client.post(Path.refresh, ["refresh": refresh]).status == 401)
        #expect(try await client.post(Path.verify, ["token": access]).status == 401)

        // The notice goes to the old address; once it is sent, its job forgets the address too.
        try await eventually("the deletion notice", observing: { sink.messages(to: email) },
                             until: { $0.contains { $0.plainText.contains("were deleted") } })
        _ = try await server.waitForQueue("queued", count: 0)
        _ = await worker.stop()
        for needle in ["delia", "delianame", "goneaway", "delia.new"] {
            let found = try await Self.columnsHolding(needle, in: server)
            #expect(found.isEmpty, "\(needle) is still in \(found)")
        }
        let kept = try await server.sql("SELECT event FROM auth_events WHERE user_id = \(id) ORDER BY id")
        #expect(kept.contains("signup") && kept.last == "account_deleted", "the audit trail keeps the id only: \(kept)")
        // Checked after the scan: a login attempt on any address counts against that address (a new rate-limit row).
        #expect(try await client.post(Path.login, ["email": email, "password": TestServer.password]).status == 401)
        #expect(try await server.signup(email).status == 201, "the address may sign up again")
    }

    @Test("Deletion forgets the addresses the account held before an e-mail change, and a notice that cannot be delivered")
    func deletionForgetsEarlierAddressesAndDeadNotice() async throws {
        let sink = try await SMTPSink()
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on"])
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": "smtp://127.0.0.1:\(sink.port)"])
        let client = server.client()
        let before = "nora.prior@example.com", after = "nora.after@example.com"
        #expect(try await server.signup(before, extra: ["first_name": "Noraname"]).status == 201)
        let code = try #require(try await sink.waitFor(1, to: before)[0].code)
        let verified = try await client.post(Path.verifyEmail, ["email": before, "otp": code])
        let access = try #require(verified["access"])
        // Traces of the first address: a failed login (rate-limit rows), a reset (its mail and cooldown).
        #expect(try await client.post(Path.login, ["email": before, "password": "not the password"]).status == 401)
        #expect(try await client.post(Path.passwordReset, ["email": before]).status == 202)
        _ = try await sink.waitFor(2, to: before)
        // The change to the second address, confirmed.
        let change = try await client.post(Path.emailChange, ["new_email": after, "password": TestServer.password], bearer: access)
        #expect(change.status == 202 || change.status == 200, "\(change.text)")
        let changeCode = try #require(try await sink.waitFor(1, to: after)[0].code)
        #expect(try await client.post(Path.emailChangeConfirm, ["otp": changeCode], bearer: access).status == 200)
        _ = try await server.waitForQueue("queued", count: 0)

        // The notice will be refused for good (550 quoting the address): it dies.
        try sink.setMode("550")
        let deleted = try await client.send(.delete, Path.me, body: Data(#"{"password": "\#(TestServer.password)"}"#.utf8),
                                            headers: [("Authorization", "Bearer \(access)")])
        #expect(deleted.status == 204, "\(deleted.text)")
        try await server.waitForQueue("dead", count: 1)
        _ = await worker.stop()
        #expect(try await server.sql("SELECT kind FROM mail_jobs WHERE state = 'dead'") == ["account_deleted_notice"])
        #expect(try await server.sql("SELECT last_error FROM mail_jobs WHERE state = 'dead'").first?.contains("550") == true)
        for needle in ["nora", "noraname"] {
            let found = try await Self.columnsHolding(needle, in: server)
            #expect(found.isEmpty, "\(needle) is still in \(found)")
        }
    }

    @Test("DELETE /me/ with MFA on needs a second-factor-verified session; the last active staff account cannot delete itself")
    func deletionStepUpAndLastStaff() async throws {
        let server = try await TestServer()
        let client = server.client()
        let root = try await server.staff("root@example.com")
        let lastStaff = try await client.send(.delete, Path.me, body: Data(#"{"password": "\#(TestServer.staffPassword)"}"#.utf8),
                                              headers: [("Authorization", "Bearer \(root.access)")])
        #expect(lastStaff.status == 400 && lastStaff.code == "last_staff")
        #expect(try await client.get(Path.me, bearer: root.access).status == 200)

        let enrolled = try await MFATests.enroll(server, "mfa-delete@example.com")
        let id = try #require(try await client.get(Path.me, bearer: enrolled.access).json["id"] as? Int)
        let body = Data(#"{"password": "\#(TestServer.password)"}"#.utf8)
        // A session at aal 1 of an MFA user (one opened before the factor was on, say): planted
        // by lowering the stored level of the user's sessions.
        _ = try await server.sql("UPDATE login_sessions SET aal = 1, amr = 'pwd' WHERE user_id = \(id)")
        let refused = try await client.send(.delete, Path.me, body: body, headers: [("Authorization", "Bearer \(enrolled.access)")])
        #expect(refused.status == 403 && refused.code == "mfa_required")
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM users WHERE id = \(id)") == 1)
        // The two-step login's session passed the second factor: from it, deletion works.
        let challenge = try #require(try await client.post(Path.login, ["email": "mfa-delete@example.com", "password": TestServer.password])["mfa_token"])
        let recoveryCode = try #require(enrolled.codes.first)
        let aal2 = try #require(try await client.post(Path.loginMFA, ["mfa_token": challenge, "code": recoveryCode])["access"])
        let done = try await client.send(.delete, Path.me, body: body, headers: [("Authorization", "Bearer \(aal2)")])
        #expect(done.status == 204)
        let factors = try await server.sqlInt("SELECT COUNT(*) FROM mfa_factors WHERE user_id = \(id)")
        let codes = try await server.sqlInt("SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = \(id)")
        #expect(factors == 0 && codes == 0)
    }
}
