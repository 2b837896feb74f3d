import Foundation
import Shared
import Testing

@Suite("Verify e-mail")
struct VerifyEmailTests {
    @Test("The right code verifies once; it is single use")
    func verifyOnce() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("v@example.com")
        try await server.plantCode("424242", email: "v@example.com")
        let ok = try await client.post(Path.verifyEmail, ["email": "V@example.com", "otp": "424242"])
        #expect(ok.status == 200)
        #expect(ok.json["is_verified"] as? Bool == true)
        #expect(ok["access"] != nil && ok["refresh"] != nil)
        #expect(try await client.get(Path.me, bearer: try #require(ok["access"])).status == 200)
        let reused = try await client.post(Path.verifyEmail, ["email": "v@example.com", "otp": "424242"])
        #expect(reused.status == 400 && reused.code == "otp_invalid")
    }

    @Test("Five wrong tries burn the code: then even the right one is otp_locked")
    func lockAfterFiveWrongTries() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("lock@example.com")
        try await server.plantCode("111111", email: "lock@example.com")
        var codes: [String?] = []
        for _ in 0..<5 {
            codes.append(try await client.post(Path.verifyEmail, ["email": "lock@example.com", "otp": "222222"]).code)
        }
        #expect(codes.prefix(4).allSatisfy { $0 == "otp_invalid" })
        #expect(codes[4] == "otp_invalid" || codes[4] == "otp_locked")
        let right = try await client.post(Path.verifyEmail, ["email": "lock@example.com", "otp": "111111"])
        #expect(right.status == 400 && right.code == "otp_locked")
        // A new code replaces the burnt one.
        try await server.plantCode("333333", email: "lock@example.com")
        #expect(try await client.post(Path.verifyEmail, ["email": "lock@example.com", "otp": "333333"]).status == 200)
    }

    @Test("Malformed codes are field errors and do not count as tries")
    func malformedCodes() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("mal@example.com")
        try await server.plantCode("654321", email: "mal@example.com")
        for bad in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"] {
            let r = try await client.post(Path.verifyEmail, ["email": "mal@example.com", "otp": bad])
            #expect(r.status == 400 && !r.fieldErrors("otp").isEmpty, "\(bad)")
        }
        let number = try await client.post(Path.verifyEmail, ["email": "mal@example.com", "otp": 654321])
        #expect(number.status == 400 && number.fieldErrors("otp") == ["Not a valid string."])
        let attempts = try await server.sqlInt("SELECT attempts FROM one_time_codes")
        #expect(attempts == 0)
        #expect(try await client.post(Path.verifyEmail, ["email": "mal@example.com", "otp": "654321"]).status == 200)
    }

    @Test("Expired code is otp_expired; another address's code is otp_invalid; no code is otp_invalid")
    func expiredAndForeign() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("exp@example.com")
        _ = try await server.signup("other@example.com")
        try await server.plantCode("777777", email: "exp@example.com", expiresIn: -1)
        let expired = try await client.post(Path.verifyEmail, ["email": "exp@example.com", "otp": "777777"])
        #expect(expired.status == 400 && expired.code == "otp_expired")
        let foreign = try await client.post(Path.verifyEmail, ["email": "other@example.com", "otp": "777777"])
        #expect(foreign.status == 400 && foreign.code == "otp_invalid")
        let unknown = try await client.post(Path.verifyEmail, ["email": "ghost@example.com", "otp": "777777"])
        #expect(unknown.status == 400 && unknown.code == "otp_invalid")
        let missing = try await client.post(Path.verifyEmail, [:])
        #expect(missing.fieldErrors("email") == ["This field is required."] && missing.fieldErrors("otp") == ["This field is required."])
    }

    @Test("10 parallel verifications with the right code: exactly one 200")
    func parallelVerifications() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("par@example.com")
        try await server.plantCode("909090", email: "par@example.com")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 {
                group.addTask { try await client.post(Path.verifyEmail, ["email": "par@example.com", "otp": "909090"]).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1)
        #expect(statuses.filter { $0 == 400 }.count == 9)
        let sessions = try await server.sqlInt("SELECT COUNT(*) FROM login_sessions")
        #expect(sessions == 2)  // signup's and the one verification
    }
}

@Suite("Send OTP")
struct SendOTPTests {
    @Test("202 byte-identical for every address; a mail only for unverified accounts past the cooldown")
    func identicalAnswers() async throws {
        let server = try await TestServer()
        let client = server.client()
        _ = try await server.signup("fresh@example.com")
        _ = try await server.verifiedUser("done@example.com")
        func jobCount() async throws -> Int { try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs") }
        let before = try await jobCount()
        let answers = [
            try await client.post(Path.sendOTP, ["email": "fresh@example.com"]),
            try await client.post(Path.sendOTP, ["email": "done@example.com"]),
            try await client.post(Path.sendOTP, ["email": "nobody@example.com"]),
        ]
        for a in answers {
            #expect(a.status == 202)
            #expect(a.body == answers[0].body)
            #expect(a["detail"] != nil)
        }
        // Signup's mail started the 60 s cooldown, so nothing new was queued.
        #expect(try await jobCount() == before)
        // Once the cooldown has passed, a new code is queued.
        try await server.sql("UPDATE send_cooldowns SET last_sent_at = last_sent_at - 61")
        #expect(try await client.post(Path.sendOTP, ["email": "FRESH@example.com"]).status == 202)
        #expect(try await jobCount() == before + 1)
        #expect(try await client.post(Path.sendOTP, ["email": "fresh@example.com"]).status == 202)
        #expect(try await jobCount() == before + 1)
        let invalid = try await client.post(Path.sendOTP, ["email": "nope"])
        #expect(invalid.status == 400 && invalid.fieldErrors("email") == ["Enter a valid email address."])
    }
}

@Suite("Throttling")
struct ThrottleTests {
    @Test("send-otp per address: the 429 carries Retry-After equal to the N of its message")
    func sendOTPThrottle() async throws {
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "send_otp=3/min"])
        let client = server.client()
        for _ in 0..<3 { #expect(try await client.post(Path.sendOTP, ["email": "t@example.com"]).status == 202) }
        let limited = try await client.post(Path.sendOTP, ["email": "t@example.com"])
        #expect(limited.status == 429 && limited.code == "throttled")
        let retry = try #require(limited.header("Retry-After").flatMap(Int.init))
        #expect(retry >= 1 && retry <= 60)
        let expected = "Request was throttled. Expected available in \(retry) second\(retry == 1 ? "" : "s")."
        #expect(limited["detail"] == expected)
    }

    @Test("Failed logins are limited; a parallel burst never gets past the limit; successes do not count")
    func loginThrottle() async throws {
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "login=4/min"])
        let client = server.client()
        _ = try await server.verifiedUser("thr@example.com")
        for _ in 0..<6 {
            #expect(try await client.post(Path.login, ["email": "thr@example.com", "password": TestServer.password]).status == 200)
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask { try await client.post(Path.login, ["email": "thr@example.com", "password": "wrong wrong"]).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 401 }.count == 4)
        #expect(statuses.filter { $0 == 429 }.count == 8)
    }

    @Test("Per-IP limits apply before the fields are checked: a throttled client gets 429 even with invalid fields")
    func throttleBeforeParsing() async throws {
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "send_otp=2/min"])
        let client = server.client()
        #expect(try await client.post(Path.sendOTP, ["email": "a@example.com"]).status == 202)
        #expect(try await client.post(Path.sendOTP, ["email": "b@example.com"]).status == 202)
        let invalid = try await client.post(Path.sendOTP, ["email": "not-an-address"])
        #expect(invalid.status == 429 && invalid.code == "throttled")
    }

    @Test("Requesting resets for an address does not block its owner's confirmation")
    func resetConfirmNotBlocked() async throws {
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "password_reset=2/min",
                                                        "AUTH_TRUSTED_PROXIES": "127.0.0.1"], mode: .live)
        let client = server.client()
        _ = try await server.signup("owner@example.com")
        func request(from ip: String) async throws -> Int {
            try await client.send(.post, Path.passwordReset, body: Data(#"{"email":"owner@example.com"}"#.utf8),
                                  headers: [("X-Forwarded-For", ip)]).status
        }
        #expect(try await request(from: "198.51.100.7") == 202)
        #expect(try await request(from: "198.51.100.8") == 202)
        #expect(try await request(from: "198.51.100.9") == 429)
        try await server.plantCode("135246", email: "owner@example.com", purpose: .passwordReset)
        let confirm = try await client.send(.post, Path.passwordResetConfirm,
                                            body: Data(#"{"email":"owner@example.com","otp":"135246","new_password":"owner's new passphrase"}"#.utf8),
                                            headers: [("X-Forwarded-For", "203.0.113.5")])
        #expect(confirm.status == 200)
    }

    @Test("Signup is limited per client IP")
    func signupThrottle() async throws {
        let server = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "signup=2/hour"])
        #expect(try await server.signup("s1@example.com").status == 201)
        #expect(try await server.signup("s2@example.com").status == 201)
        let third = try await server.signup("s3@example.com")
        #expect(third.status == 429)
        #expect(Int(third.header("Retry-After") ?? "") ?? 0 > 3_000)
    }

    @Test("X-Forwarded-For picks the bucket only when the peer is a trusted proxy")
    func trustedProxies() async throws {
        let trusted = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "signup=1/hour",
                                                         "AUTH_TRUSTED_PROXIES": "127.0.0.1"], mode: .live)
        let client = trusted.client()
        func signup(_ email: String, from ip: String) async throws -> Int {
            let body = Data(#"{"email":"\#(email)","password":"\#(TestServer.password)"}"#.utf8)
            return try await client.send(.post, Path.signup, body: body, headers: [("X-Forwarded-For", ip)]).status
        }
        #expect(try await signup("p1@example.com", from: "198.51.100.1") == 201)
        #expect(try await signup("p2@example.com", from: "198.51.100.2") == 201)
        #expect(try await signup("p3@example.com", from: "198.51.100.1") == 429)
        let login = try await client.send(.post, Path.login, body: Data(#"{"email":"p1@example.com","password":"x"}"#.utf8),
                                          headers: [("X-Forwarded-For", "198.51.100.1")])
        #expect(login.status == 401)

        let untrusted = try await TestServer(environment: ["AUTH_THROTTLE": "on", "AUTH_THROTTLE_RATES": "signup=1/hour"], mode: .live)
        let other = untrusted.client()
        let first = try await other.send(.post, Path.signup, body: Data(#"{"email":"u1@example.com","password":"\#(TestServer.password)"}"#.utf8),
                                         headers: [("X-Forwarded-For", "198.51.100.1")])
        let second = try await other.send(.post, Path.signup, body: Data(#"{"email":"u2@example.com","password":"\#(TestServer.password)"}"#.utf8),
                                          headers: [("X-Forwarded-For", "198.51.100.2")])
        #expect(first.status == 201 && second.status == 429)
    }
}
