import Foundation
import Shared
import Testing

@Suite("Account lifecycle: password reset and change, e-mail change (real worker and SMTP)")
struct LifecycleTests {
    @Test("Full reset flow: request → mail → confirm; old password fails, new works, old sessions refused")
    func passwordReset() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url])
        let client = server.client()
        _ = try await server.signup("reset@example.com")
        let verifyCode = try #require(try await sink.waitFor(1, to: "reset@example.com")[0].code)
        let session = try await client.post(Path.verifyEmail, ["email": "reset@example.com", "otp": verifyCode])
        let oldAccess = try #require(session["access"])
        let oldRefresh = try #require(session["refresh"])

        let known = try await client.post(Path.passwordReset, ["email": "reset@example.com"])
        let unknown = try await client.post(Path.passwordReset, ["email": "nobody@example.com"])
        #expect(known.status == 202 && unknown.status == 202 && known.body == unknown.body)
        let mails = try await sink.waitFor(2, to: "reset@example.com")
        let resetMail = mails[1]
        #expect(resetMail.header("Subject")?.contains("password reset") == true)
        let code = try #require(resetMail.code)
        // A reset code does not verify an e-mail, and a weak new password neither spends nor counts.
        let weak = try await client.post(Path.passwordResetConfirm, ["email": "reset@example.com", "otp": code, "new_password": "password"])
        #expect(weak.status == 400 && weak.fieldErrors("new_password") == ["This password is too common."])
        let wrong = try await client.post(Path.passwordResetConfirm, ["email": "reset@example.com", "otp": code == "000000" ? "000001" : "000000", "new_password": "brand new secret words"])
        #expect(wrong.code == "otp_invalid")
        let ok = try await client.post(Path.passwordResetConfirm, ["email": "reset@example.com", "otp": code, "new_password": "brand new secret words"])
        #expect(ok.status == 200 && ok["detail"] != nil)
        #expect(try await client.post(Path.passwordResetConfirm, ["email": "reset@example.com", "otp": code, "new_password": "another new secret"]).code == "otp_invalid")

        #expect(try await client.post(Path.login, ["email": "reset@example.com", "password": TestServer.password]).status == 401)
        #expect(try await client.post(Path.login, ["email": "reset@example.com", "password": "brand new secret words"]).status == 200)
        #expect(try await client.get(Path.me, bearer: oldAccess).status == 401)
        #expect(try await client.post(Path.refresh, ["refresh": oldRefresh]).status == 401)
        // No mail for the unknown address: none was queued with the answer (the API queues a
        // mail in the transaction of the change it is about), while the known one's was.
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs WHERE kind = 'password_reset'") == 1)
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs WHERE payload LIKE '%nobody@example.com%'") == 0)
        _ = await worker.stop()
    }

    @Test("Reset verifies an unverified account; cooldown; wrong, expired and locked codes; purposes do not mix")
    func resetCodes() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("codes@example.com")
        func jobs() async throws -> Int { try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs WHERE kind = 'password_reset'") }
        #expect(try await client.post(Path.passwordReset, ["email": "codes@example.com"]).status == 202)
        #expect(try await client.post(Path.passwordReset, ["email": "codes@example.com"]).status == 202)
        #expect(try await jobs() == 1)

        // A verification code is not a reset code, nor the reverse.
        try await server.plantCode("111111", email: "codes@example.com", purpose: .verifyEmail)
        #expect(try await client.post(Path.passwordResetConfirm, ["email": "codes@example.com", "otp": "111111", "new_password": "fresh secret words"]).code == "otp_invalid")
        try await server.plantCode("222222", email: "codes@example.com", purpose: .passwordReset)
        #expect(try await client.post(Path.verifyEmail, ["email": "codes@example.com", "otp": "222222"]).code == "otp_invalid")

        try await server.plantCode("333333", email: "codes@example.com", purpose: .passwordReset, expiresIn: -1)
        #expect(try await client.post(Path.passwordResetConfirm, ["email": "codes@example.com", "otp": "333333", "new_password": "fresh secret words"]).code == "otp_expired")

        try await server.plantCode("444444", email: "codes@example.com", purpose: .passwordReset)
        for _ in 0..<5 {
            _ = try await client.post(Path.passwordResetConfirm, ["email": "codes@example.com", "otp": "555555", "new_password": "fresh secret words"])
        }
        #expect(try await client.post(Path.passwordResetConfirm, ["email": "codes@example.com", "otp": "444444", "new_password": "fresh secret words"]).code == "otp_locked")

        try await server.plantCode("666666", email: "codes@example.com", purpose: .passwordReset)
        let missing = try await client.post(Path.passwordResetConfirm, ["email": "codes@example.com"])
        #expect(missing.fieldErrors("otp") == ["This field is required."] && missing.fieldErrors("new_password") == ["This field is required."])
        #expect(try await client.post(Path.passwordResetConfirm, ["email": "codes@example.com", "otp": "666666", "new_password": "fresh secret words"]).status == 200)
        let login = try await client.post(Path.login, ["email": "codes@example.com", "password": "fresh secret words"])
        #expect(login.status == 200 && login.json["is_verified"] as? Bool == true)
    }

    @Test("Password change: old password checked, new validated, every earlier session revoked, new tokens work")
    func passwordChange() async throws {
        let server = try await TestServer()
        let client = server.client()
        let first = try await server.verifiedUser("change@example.com")
        let second = try await client.post(Path.login, ["email": "change@example.com", "password": TestServer.password])
        let access = try #require(first["access"])
        let wrongOld = try await client.post(Path.passwordChange, ["old_password": "nope nope", "new_password": "a fine new password"], bearer: access)
        #expect(wrongOld.status == 400 && !wrongOld.fieldErrors("old_password").isEmpty)
        let weak = try await client.post(Path.passwordChange, ["old_password": TestServer.password, "new_password": "12345678"], bearer: access)
        #expect(weak.status == 400 && weak.fieldErrors("new_password").contains("This password is too common."))
        #expect(try await client.post(Path.passwordChange, ["old_password": TestServer.password, "new_password": "a fine new password"]).status == 401)
        let changed = try await client.post(Path.passwordChange, ["old_password": TestServer.password, "new_password": "a fine new password"], bearer: access)
        #expect(changed.status == 200)
        #expect(changed.header("Cache-Control") == "no-store")
        let newAccess = try #require(changed["access"])
        #expect(try await client.get(Path.me, bearer: newAccess).status == 200)
        #expect(try await client.post(Path.refresh, ["refresh": try #require(changed["refresh"])]).status == 200)
        #expect(try await client.get(Path.me, bearer: access).status == 401)
        #expect(try await client.get(Path.me, bearer: try #require(second["access"])).status == 401)
        #expect(try await client.post(Path.refresh, ["refresh": try #require(second["refresh"])]).status == 401)
        #expect(try await client.post(Path.login, ["email": "change@example.com", "password": "a fine new password"]).status == 200)
    }

    @Test("E-mail change: password and address checked, code to the new address, swap keeps the id, notice to the old one")
    func emailChange() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url])
        let client = server.client()
        _ = try await server.signup("old@example.com")
        _ = try await server.signup("taken@example.com")
        let code = try #require(try await sink.waitFor(1, to: "old@example.com")[0].code)
        let auth = try await client.post(Path.verifyEmail, ["email": "old@example.com", "otp": code])
        let access = try #require(auth["access"])
        let id = auth.json["id"] as? Int

        let bad = try await client.post(Path.emailChange, ["new_email": "TAKEN@example.com", "password": "wrong password"], bearer: access)
        #expect(bad.status == 400)
        #expect(bad.fieldErrors("new_email") == ["user with this email address already exists."])
        #expect(bad.fieldErrors("password") == ["Password is incorrect."])
        #expect(try await client.post(Path.emailChange, ["new_email": "not an address", "password": TestServer.password], bearer: access).fieldErrors("new_email") == ["Enter a valid email address."])
        #expect(try await client.post(Path.emailChange, ["new_email": "x@example.com", "password": TestServer.password]).status == 401)

        let request = try await client.post(Path.emailChange, ["new_email": "New.Address@Example.com", "password": TestServer.password], bearer: access)
        #expect(request.status == 202)
        let again = try await client.post(Path.emailChange, ["new_email": "New.Address@Example.com", "password": TestServer.password], bearer: access)
        #expect(again.status == 429)
        let wait = Int(again.header("Retry-After") ?? "") ?? 0
        #expect(wait >= 1 && wait <= 60)
        #expect(again["detail"]?.contains("\(wait) second") == true)
        let changeMail = try await sink.waitFor(1, to: "New.Address@example.com")[0]
        let changeCode = try #require(changeMail.code)
        // An e-mail change code is not a verification code.
        #expect(try await client.post(Path.verifyEmail, ["email": "New.Address@example.com", "otp": changeCode]).status == 400)
        let confirmed = try await client.post(Path.emailChangeConfirm, ["otp": changeCode], bearer: access)
        #expect(confirmed.status == 200)
        #expect(confirmed["email"] == "New.Address@example.com")
        #expect(confirmed.json["id"] as? Int == id)
        let notice = try await sink.waitFor(2, to: "old@example.com")[1]
        #expect(notice.header("Subject")?.contains("changed") == true)
        #expect(notice.sixDigitRuns.isEmpty)
        #expect(try await client.post(Path.login, ["email": "new.address@example.com", "password": TestServer.password]).status == 200)
        #expect(try await client.post(Path.login, ["email": "old@example.com", "password": TestServer.password]).status == 401)
        #expect(try await client.post(Path.emailChangeConfirm, ["otp": changeCode], bearer: access).code == "otp_invalid")
        _ = await worker.stop()
    }

    @Test("E-mail change race: the new address is taken before confirmation → email_taken, nothing changes")
    func emailChangeRace() async throws {
        let server = try await TestServer()
        let client = server.client()
        let auth = try await server.verifiedUser("racer@example.com")
        let access = try #require(auth["access"])
        #expect(try await client.post(Path.emailChange, ["new_email": "wanted@example.com", "password": TestServer.password], bearer: access).status == 202)
        try await server.plantCode("818181", email: "racer@example.com", purpose: .emailChange, sentTo: "wanted@example.com")
        #expect(try await server.signup("wanted@example.com").status == 201)
        let taken = try await client.post(Path.emailChangeConfirm, ["otp": "818181"], bearer: access)
        #expect(taken.status == 400 && taken.code == "email_taken")
        let me = try await client.get(Path.me, bearer: access)
        #expect(me["email"] == "racer@example.com")
        // The code was not spent: it works once the address is free again.
        try await server.sql("DELETE FROM users WHERE email_key = 'wanted@example.com'")
        #expect(try await client.post(Path.emailChangeConfirm, ["otp": "818181"], bearer: access).status == 200)
    }
}

@Suite("Sessions")
struct SessionsTests {
    @Test("List (newest first, current marked, user agent and IP), revoke one, 404s, logout-all")
    func sessions() async throws {
        let server = try await TestServer(mode: .live)
        let client = server.client()
        let first = try await server.verifiedUser("sess@example.com")
        let login = try await client.send(.post, Path.login, body: Data(#"{"email":"sess@example.com","password":"\#(TestServer.password)"}"#.utf8),
                                          headers: [("User-Agent", "UnitBrowser/1.0")])
        let access = try #require(login["access"])
        let list = try await client.get(Path.sessions, bearer: access)
        #expect(list.status == 200)
        #expect(list.header("Cache-Control") == "no-store")
        let items = try #require((try JSONSerialization.jsonObject(with: list.body)) as? [[String: Any]])
        #expect(items.count == 3)  // signup, verification, login
        #expect(items[0]["current"] as? Bool == true)
        #expect(items[0]["user_agent"] as? String == "UnitBrowser/1.0")
        #expect(items[0]["ip"] as? String == "127.0.0.1")
        #expect(items.dropFirst().allSatisfy { $0["current"] as? Bool == false })
        for key in ["id", "created_at", "last_used_at"] { #expect(items[0][key] is String) }

        let other = try #require(first["access"])
        let otherSessionID = try await TokenService(secretKey: TestServer.secretKey, accessTTL: 300, refreshTTL: 600, clock: SystemClock(), random: SecureRandom()).verify(other).sid
        #expect(try await client.delete(Path.sessions + otherSessionID + "/", bearer: access).status == 204)
        #expect(try await client.get(Path.me, bearer: other).status == 401)
        #expect(try await client.delete(Path.sessions + otherSessionID, bearer: access).status == 404)
        #expect(try await client.delete(Path.sessions + "no-such-session/", bearer: access).status == 404)
        for odd in ["%00/", "a%00b/", "%2e%2e/", "%E2%80%AE/", String(repeating: "A", count: 65) + "/"] {
            #expect(try await client.delete(Path.sessions + odd, bearer: access).status == 404, "\(odd)")
        }
        #expect(try await client.delete(Path.sessions + "x/", bearer: nil).status == 401)

        // Another user's session is 404 too.
        let stranger = try await server.verifiedUser("stranger@example.com")
        let strangerID = try await TokenService(secretKey: TestServer.secretKey, accessTTL: 300, refreshTTL: 600, clock: SystemClock(), random: SecureRandom()).verify(try #require(stranger["access"])).sid
        #expect(try await client.delete(Path.sessions + strangerID + "/", bearer: access).status == 404)
        #expect(try await client.get(Path.me, bearer: try #require(stranger["access"])).status == 200)

        let all = try await client.post(Path.logoutAll, [:], bearer: access)
        #expect(all.status == 205 && all.body.isEmpty)
        #expect(try await client.get(Path.me, bearer: access).status == 401)
        #expect(try await client.post(Path.refresh, ["refresh": try #require(login["refresh"])]).status == 401)
    }
}
