import Foundation
import Shared
import Testing

/// Two-step verification end to end, with a real authenticator implementation nobody here
/// wrote: pyotp computes every code from the `otpauth://` URL the service hands out. On
/// PostgreSQL the requests alternate between two replicas, so replay and burn hold across them.
@Suite("Multi-factor authentication (TOTP and recovery codes)")
struct MFATests {
    /// pyotp's code for `url` at Unix time `at` (now when nil).
    static func pyotp(_ url: String, at: Int? = nil) async throws -> String {
        let time = at ?? Int(Date().timeIntervalSince1970)
        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import sys, pyotp; print(pyotp.parse_uri(sys.argv[1]).at(int(sys.argv[2])))", url, String(time)])
        #expect(result.status == 0, "\(result.output)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func claims(_ token: String?) throws -> [String: Any] {
        try TokenForge.claims(of: try #require(token))
    }

    /// A verified user with MFA on; the confirming session's access token, the otpauth URL, the
    /// recovery codes and the time whose code confirmed it.
    static func enroll(_ server: TestServer, _ email: String) async throws -> (access: String, url: String, codes: [String], confirmedAt: Int) {
        let client = server.client()
        let access = try #require(try await server.verifiedUser(email)["access"])
        let setup = try await client.post(Path.mfaSetup, ["password": TestServer.password], bearer: access)
        #expect(setup.status == 200)
        let url = try #require(setup["otpauth_url"])
        let at = Int(Date().timeIntervalSince1970)
        let confirmed = try await client.post(Path.mfaConfirm, ["code": try await pyotp(url, at: at)], bearer: access)
        #expect(confirmed.status == 200, "\(confirmed.json)")
        return (access, url, confirmed.json["recovery_codes"] as? [String] ?? [], at)
    }

    @Test("Setup, confirmation, the two-step login by TOTP and by recovery code, replay, burn, step-up, disable")
    func wholeFlow() async throws {
        let server = try await TestServer()
        let client = server.client()
        let email = "mfa-flow@example.com"
        let first = try await server.verifiedUser(email)
        let access = try #require(first["access"])
        let other = try #require(try await client.post(Path.login, ["email": email, "password": TestServer.password])["access"])
        #expect(try await client.get(Path.mfa, bearer: access).json["totp"] as? Bool == false)
        #expect(try await client.get(Path.me, bearer: access).json["mfa_enabled"] as? Bool == false)

        // Setup: the password again; a new setup replaces a pending one.
        let wrong = try await client.post(Path.mfaSetup, ["password": "not it"], bearer: access)
        #expect(wrong.status == 400 && wrong.fieldErrors("password") == ["Incorrect password."])
        #expect(try await client.post(Path.mfaSetup, [:], bearer: access).fieldErrors("password") == ["This field is required."])
        _ = try await client.post(Path.mfaSetup, ["password": TestServer.password], bearer: access)
        let setup = try await client.post(Path.mfaSetup, ["password": TestServer.password], bearer: access)
        let url = try #require(setup["otpauth_url"])
        let secret = try #require(setup["secret"])
        #expect(url.hasPrefix("otpauth://totp/swift-auth:mfa-flow@example.com?secret=\(secret)&issuer=swift-auth&algorithm=SHA1&digits=6&period=30"))
        #expect(try await client.get(Path.mfa, bearer: access).json["totp"] as? Bool == false, "pending until confirmed")

        // Confirmation: a wrong code, then pyotp's.
        let now = Int(Date().timeIntervalSince1970)
        let bad = try await client.post(Path.mfaConfirm, ["code": try await Self.pyotp(url, at: now + 300)], bearer: access)
        #expect(bad.status == 400 && bad.code == "mfa_invalid")
        let confirmCode = try await Self.pyotp(url, at: now)
        let confirmed = try await client.post(Path.mfaConfirm, ["code": confirmCode], bearer: access)
        #expect(confirmed.status == 200)
        let codes = confirmed.json["recovery_codes"] as? [String] ?? []
        #expect(codes.count == 10 && Set(codes).count == 10)
        #expect(codes.allSatisfy { $0.count == 11 && $0.contains("-") })
        #expect(try await client.get(Path.me, bearer: other).status == 401, "every other session ended")
        #expect(try await client.get(Path.me, bearer: access).json["mfa_enabled"] as? Bool == true)
        let status = try await client.get(Path.mfa, bearer: access)
        #expect(status.json["totp"] as? Bool == true && status.json["recovery_codes_left"] as? Int == 10)
        #expect(try await server.sql("SELECT COUNT(*) FROM mail_jobs WHERE kind = 'mfa_enabled_notice'") == ["1"])
        // At rest: the secret only sealed, the recovery codes only as keyed hashes.
        let secretHex = Hex.encode(try #require(Base32.decode(secret)))
        let stored = try await server.sql("SELECT secret FROM mfa_factors").joined() + (try await server.sql("SELECT code_hash FROM mfa_recovery_codes")).joined()
        #expect(!stored.lowercased().contains(secretHex) && !stored.contains(secret), "no TOTP secret in the database")
        for recovery in codes {
            #expect(!stored.contains(Hex.encode(Array(recovery.utf8))) && !stored.contains(Hex.encode(Array(recovery.replacingOccurrences(of: "-", with: "").utf8))))
        }
        #expect(try await server.sql("SELECT COUNT(*) FROM mfa_recovery_codes").first == "10")

        // The password step: no tokens, no cookies, a token for the second.
        func passwordStep() async throws -> String {
            let login = try await client.post(Path.login, ["email": email, "password": TestServer.password])
            #expect(login.status == 200 && login.json["mfa_required"] as? Bool == true)
            #expect(login.json["access"] == nil && login.json["refresh"] == nil && login.header("Set-Cookie") == nil)
            #expect(login.json["methods"] as? [String] == ["totp", "recovery_code"])
            return try #require(login["mfa_token"])
        }
        // The confirming code's step is spent: a replay, on whichever replica.
        let token = try await passwordStep()
        let replay = try await client.post(Path.loginMFA, ["mfa_token": token, "code": confirmCode])
        #expect(replay.status == 400 && replay.code == "mfa_invalid")
        // The next step's code (one step of drift is allowed) signs in, second-factor verified.
        let byTOTP = try await client.post(Path.loginMFA, ["mfa_token": token, "code": try await Self.pyotp(url, at: now + 30)])
        #expect(byTOTP.status == 200 && byTOTP.json["mfa_enabled"] as? Bool == true)
        let totpClaims = try Self.claims(byTOTP["access"])
        #expect(totpClaims["aal"] as? Int == 2 && totpClaims["amr"] as? [String] == ["pwd", "otp"])
        #expect(try await client.post(Path.loginMFA, ["mfa_token": token, "code": codes[0]]).status == 401, "the token is single use")
        // Refresh keeps the level.
        let rotated = try await client.post(Path.refresh, ["refresh": try #require(byTOTP["refresh"])])
        #expect(try Self.claims(rotated["access"])["aal"] as? Int == 2)

        // A recovery code, typed in upper case without the dash: once.
        let typed = codes[1].uppercased().replacingOccurrences(of: "-", with: "")
        let byRecovery = try await client.post(Path.loginMFA, ["mfa_token": try await passwordStep(), "code": typed])
        #expect(byRecovery.status == 200)
        #expect(try Self.claims(byRecovery["access"])["amr"] as? [String] == ["pwd", "recovery"])
        #expect(try await client.get(Path.mfa, bearer: access).json["recovery_codes_left"] as? Int == 9)
        #expect(try await client.post(Path.loginMFA, ["mfa_token": try await passwordStep(), "code": codes[1]]).code == "mfa_invalid")

        // Five wrong codes burn the token: the right one is refused after.
        let burnt = try await passwordStep()
        for _ in 0..<5 {
            #expect(try await client.post(Path.loginMFA, ["mfa_token": burnt, "code": "000000x"]).code == "mfa_invalid")
        }
        let late = try await client.post(Path.loginMFA, ["mfa_token": burnt, "code": codes[2]])
        #expect(late.status == 401 && late.code == "token_not_valid")
        #expect(try await client.post(Path.loginMFA, ["mfa_token": "forged", "code": codes[2]]).status == 401)
        // An access token pasted by mistake, or any over-long string, is a token that is not valid, not a field error.
        for pasted in [access, String(repeating: "x", count: 5_000)] {
            let wrong = try await client.post(Path.loginMFA, ["mfa_token": pasted, "code": codes[2]])
            #expect(wrong.status == 401 && wrong.code == "token_not_valid", "\(wrong.status) \(wrong.text)")
        }
        #expect(try await client.post(Path.loginMFA, [:]).fieldErrors("mfa_token") == ["This field is required."])

        // Step-up: a session without the second factor may not change the password or switch MFA off.
        let verifiedAccess = try #require(byRecovery["access"])
        let sid = try #require(try Self.claims(verifiedAccess)["sid"] as? String)
        _ = try await server.sql("UPDATE login_sessions SET aal = 1, amr = 'pwd' WHERE id = '\(sid)'")
        for (path, body) in [(Path.passwordChange, ["old_password": TestServer.password, "new_password": "another horse battery"]),
                             (Path.mfaDisable, ["code": codes[3]]), (Path.mfaRecoveryCodes, [:]),
                             (Path.emailChange, ["new_email": "moved@example.com", "password": TestServer.password])] {
            let refused = try await client.post(path, body, bearer: verifiedAccess)
            #expect(refused.status == 403 && refused.code == "mfa_required", "\(path)")
        }
        _ = try await server.sql("UPDATE login_sessions SET aal = 2, amr = 'pwd recovery' WHERE id = '\(sid)'")

        // New recovery codes replace the old; disable with one of them.
        let fresh = try await client.post(Path.mfaRecoveryCodes, [:], bearer: verifiedAccess)
        let newCodes = fresh.json["recovery_codes"] as? [String] ?? []
        #expect(fresh.status == 200 && newCodes.count == 10)
        #expect(try await client.post(Path.mfaDisable, ["code": codes[4]], bearer: verifiedAccess).code == "mfa_invalid")
        let off = try await client.post(Path.mfaDisable, ["code": newCodes[0]], bearer: verifiedAccess)
        #expect(off.status == 200 && off["detail"] != nil)
        #expect(try await client.get(Path.mfa, bearer: verifiedAccess).json["totp"] as? Bool == false)
        #expect(try await server.sql("SELECT COUNT(*) FROM mail_jobs WHERE kind = 'mfa_disabled_notice'") == ["1"])
        let plain = try await client.post(Path.login, ["email": email, "password": TestServer.password])
        #expect(plain["access"] != nil && plain.json["mfa_required"] == nil)
        let events = try await server.sql("SELECT event FROM auth_events WHERE event LIKE 'mfa%' ORDER BY id")
        #expect(Set(events).isSuperset(of: ["mfa_setup_started", "mfa_enabled", "mfa_challenged", "mfa_failed", "mfa_disabled"]), "\(events)")
    }

    @Test("Cookie mode: no cookies after the password step, the session's cookies after the second")
    func cookieMode() async throws {
        let server = try await TestServer(environment: ["AUTH_COOKIE_MODE": "on", "AUTH_COOKIE_SECURE": "off"])
        let client = server.client()
        let (_, url, _, confirmedAt) = try await Self.enroll(server, "mfa-cookies@example.com")
        let login = try await client.post(Path.login, ["email": "mfa-cookies@example.com", "password": TestServer.password])
        #expect(login.json["mfa_required"] as? Bool == true && login.header("Set-Cookie") == nil)
        let second = try await client.post(Path.loginMFA, ["mfa_token": try #require(login["mfa_token"]),
                                                           "code": try await Self.pyotp(url, at: confirmedAt + 30)])
        #expect(second.status == 200)
        let cookies = second.headers[values: .setCookie]
        #expect(cookies.contains { $0.hasPrefix("access_token=") } && cookies.contains { $0.hasPrefix("refresh_token=") }, "\(cookies)")
    }

    @Test("The mfa rate limits the second step per IP")
    func throttled() async throws {
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "mfa=3/min,login=100/min"])
        let client = server.client()
        _ = try await Self.enroll(server, "mfa-throttle@example.com")
        let login = try await client.post(Path.login, ["email": "mfa-throttle@example.com", "password": TestServer.password])
        let token = try #require(login["mfa_token"])
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(try await client.post(Path.loginMFA, ["mfa_token": token, "code": "zzzzz-zzzzz"]).status) }
        #expect(statuses.last == 429, "\(statuses)")
        // Per account too: password steps from other addresses stop once the account's rate is spent.
        var steps: [Int] = []
        for i in 0..<4 {
            steps.append(try await client.send(.post, Path.login, body: try JSONSerialization.data(withJSONObject: [
                "email": "mfa-throttle@example.com", "password": TestServer.password]), headers: [("X-Forwarded-For", "198.51.100.\(i)")]).status)
        }
        #expect(steps.contains(429), "\(steps)")
    }

    @Test("The worker delivers the notices of MFA on and off, without a code, through the real SMTP sink")
    func noticeMails() async throws {
        let server = try await TestServer()
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url])
        let email = "mfa-mail@example.com"
        _ = try await server.signup(email)
        let code = try #require(try await sink.waitFor(1, to: email)[0].code)
        let access = try #require(try await server.client().post(Path.verifyEmail, ["email": email, "otp": code])["access"])
        let setup = try await server.client().post(Path.mfaSetup, ["password": TestServer.password], bearer: access)
        let url = try #require(setup["otpauth_url"])
        let confirmed = try await server.client().post(Path.mfaConfirm, ["code": try await Self.pyotp(url)], bearer: access)
        let codes = confirmed.json["recovery_codes"] as? [String] ?? []
        let on = try await sink.waitFor(2, to: email)[1]
        #expect(on.header("Subject")?.contains("Two-step verification is on") == true)
        #expect(on.code == nil, "a notice carries no code")
        #expect(try await server.client().post(Path.mfaDisable, ["code": try #require(codes.first)], bearer: access).status == 200)
        let off = try await sink.waitFor(3, to: email)[2]
        #expect(off.header("Subject")?.contains("Two-step verification is off") == true)
        _ = await worker.stop()
        await sink.stop()
    }
}
