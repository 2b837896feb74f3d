import Foundation
import HTTPTypes
import Shared
import TestSupport
import Testing

enum AdminPath {
    static let prefix = "/api/admin"
    static let users = prefix + "/users/"
    static func user(_ id: Int) -> String { prefix + "/users/\(id)/" }
    static func logoutAll(_ id: Int) -> String { prefix + "/users/\(id)/logout-all/" }
    static func sendOTP(_ id: Int) -> String { prefix + "/users/\(id)/send-otp/" }
    static func mfa(_ id: Int) -> String { prefix + "/users/\(id)/mfa/" }
    static let mail = prefix + "/mail/"
    static func requeue(_ id: Int) -> String { prefix + "/mail/\(id)/requeue/" }
    static let events = prefix + "/events/"
}

extension TestServer {
    static let staffPassword = "staff password for tests 42"

    /// `createsuperuser` (staff, verified), then a login: its access token and id.
    func staff(_ email: String) async throws -> (access: String, id: Int) {
        var env = environment
        env["AUTH_SUPERUSER_PASSWORD"] = Self.staffPassword
        let created = try await Self.run(["createsuperuser", "--email", email], environment: env)
        #expect(created.status == 0, "\(created.output)")
        let login = try await client().post(Path.login, ["email": email, "password": Self.staffPassword])
        let access = try #require(login["access"])
        return (access, try #require(login.json["id"] as? Int))
    }
}

/// The admin API end to end, on each backend (two replicas on PostgreSQL): every route refuses
/// anonymous (401) and non-staff (403) callers; lists page as DRF does; every action is an
/// audit event naming the actor; the last active staff account stays.
@Suite("Administration (staff only)")
struct AdminTests {
    static func routes(_ id: Int, job: Int) -> [(method: String, path: String)] {
        [("GET", AdminPath.users), ("GET", AdminPath.user(id)), ("PATCH", AdminPath.user(id)), ("DELETE", AdminPath.user(id)),
         ("POST", AdminPath.logoutAll(id)), ("POST", AdminPath.sendOTP(id)), ("DELETE", AdminPath.mfa(id)), ("GET", AdminPath.mail),
         ("POST", AdminPath.requeue(job)), ("GET", AdminPath.events)]
    }

    @Test("Every admin route: 401 without credentials, 403 permission_denied for a user or a deactivated staff account, and nothing changes")
    func refusals() async throws {
        let server = try await TestServer()
        let client = server.client()
        let staff = try await server.staff("root@example.com")
        let user = try await server.verifiedUser("plain@example.com")
        let userAccess = try #require(user["access"])
        let userId = try #require(user.json["id"] as? Int)
        let other = try await server.staff("second-staff@example.com")
        let jobs = try await server.sql("SELECT id FROM mail_jobs ORDER BY id")
        let job = Int(jobs.first ?? "1") ?? 1
        for route in Self.routes(userId, job: job) {
            let method = HTTPRequest.Method(route.method)!
            let body = method == .get ? nil : Data(#"{"is_staff": true}"#.utf8)
            let anonymous = try await client.send(method, route.path, body: body)
            #expect(anonymous.status == 401 && anonymous.code == "not_authenticated", "\(route)")
            #expect(anonymous.header("WWW-Authenticate") == #"Bearer realm="api""#)
            let refused = try await client.send(method, route.path, body: body, headers: [("Authorization", "Bearer \(userAccess)")])
            #expect(refused.status == 403, "\(route) \(refused.status)")
            #expect(refused["detail"] == "You do not have permission to perform this action." && refused.code == "permission_denied")
        }
        #expect(try await client.get(Path.me, bearer: userAccess).json["is_staff"] as? Bool == false)
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM users WHERE id = \(userId)") == 1)
        // A staff account deactivated by another: its token no longer opens anything.
        #expect(try await client.patch(AdminPath.user(other.id), ["is_active": false], bearer: staff.access).status == 200)
        #expect(try await client.get(AdminPath.users, bearer: other.access).status == 401)
        let login = try await client.post(Path.login, ["email": "second-staff@example.com", "password": TestServer.staffPassword])
        #expect(login.status == 401)
    }

    @Test("Users: search (address and names, any case, wildcards taken literally), filters, DRF pagination and links, detail with sessions")
    func listAndSearch() async throws {
        let server = try await TestServer()
        let client = server.client()
        let staff = try await server.staff("root@example.com")
        let people: [(String, String, String)] = [
            ("ada@example.com", "Ada", "Lovelace"), ("grace@example.org", "Grace", "Hopper"), ("alan@example.net", "Alan", "Turing"),
            ("edsger@example.com", "Edsger", "Dijkstra"), ("barbara@example.com", "Barbara", "Liskov"),
            ("per%cent@example.com", "Per", "Cent"), ("under_score@example.com", "Under", "Score"), ("lovise@example.com", "Åsa", "Øberg"),
        ]
        for (email, first, last) in people {
            #expect(try await server.signup(email, extra: ["first_name": first, "last_name": last]).status == 201, "\(email)")
        }
        // Ada verifies (one session) and logs in (a second one, and last_login).
        try await server.plantCode("123456", email: "ada@example.com")
        #expect(try await client.post(Path.verifyEmail, ["email": "ada@example.com", "otp": "123456"]).status == 200)
        #expect(try await client.post(Path.login, ["email": "ada@example.com", "password": TestServer.password]).status == 200)
        func emails(_ query: String) async throws -> [String] {
            let page = try await client.get(AdminPath.users + query, bearer: staff.access)
            #expect(page.status == 200, "\(query): \(page.text)")
            return (page.json["results"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
        }
        #expect(try await emails("?search=LOVE") == ["ada@example.com"])
        #expect(try await emails("?search=hopper") == ["grace@example.org"])
        #expect(try await emails("?search=example.net") == ["alan@example.net"])
        #expect(try await emails("?search=%25") == ["per%cent@example.com"], "a % is a character, not a wildcard")
        #expect(try await emails("?search=r_s") == ["under_score@example.com"], "an _ is a character")
        #expect(try await emails("?search=r%5Fs") == ["under_score@example.com"])
        #expect(try await emails("?search=%C3%B8BERG") == ["lovise@example.com"], "non-ASCII, another case")
        #expect(try await emails("?search=lis") == ["barbara@example.com"])
        #expect(try await emails("?search=zz") == [])
        #expect(try await emails("?search=edsger+dij") == ["edsger@example.com"], "across the first and the last name")
        // DRF's SearchFilter: words split on spaces and commas, and every one must match.
        #expect(try await emails("?search=ada+hopper") == [], "each word must match the same user")
        #expect(try await emails("?search=LOVE,+ada") == ["ada@example.com"])
        #expect(try await emails("?search=example.com+%C3%85SA") == ["lovise@example.com"], "an indexed word and a short one")
        #expect(try await emails("?search=%22ada+lovelace%22") == ["ada@example.com"], "a quoted phrase is one term")
        let tooMany = try await client.get(AdminPath.users + "?search=" + Array(repeating: "a", count: 21).joined(separator: "+"), bearer: staff.access)
        #expect(tooMany.status == 400 && tooMany.fieldErrors("search") == ["Ensure this field has no more than 20 words."], "\(tooMany.text)")
        #expect(try await emails("?is_staff=true") == ["root@example.com"])
        #expect(try await emails("?is_verified=false&search=example.com")
                == ["edsger@example.com", "barbara@example.com", "per%cent@example.com", "under_score@example.com", "lovise@example.com"])
        for query in ["?search=ab%00cd", "?search=%00"] {
            let nul = try await client.get(AdminPath.users + query, bearer: staff.access)
            #expect(nul.status == 400 && nul.fieldErrors("search") == ["Null characters are not allowed."], "\(query): \(nul.text)")
        }
        let nulType = try await client.get(AdminPath.events + "?type=login%00", bearer: staff.access)
        #expect(nulType.status == 400 && nulType.fieldErrors("type") == ["Null characters are not allowed."])
        let bad = try await client.get(AdminPath.users + "?is_active=maybe", bearer: staff.access)
        #expect(bad.status == 400 && bad.fieldErrors("is_active") == ["Must be a valid boolean."])

        // Pagination: ordered by id, DRF's count / next / previous.
        let first = try await client.get(AdminPath.users + "?page_size=3&search=example", bearer: staff.access)
        #expect(first.json["count"] as? Int == 9)
        #expect((first.json["results"] as? [[String: Any]])?.count == 3)
        #expect(first.json["previous"] is NSNull)
        let next = try #require(first.json["next"] as? String)
        #expect(next.hasSuffix("/api/admin/users/?page_size=3&search=example&page=2"), "\(next)")
        let second = try await client.get(AdminPath.users + "?page_size=3&search=example&page=2", bearer: staff.access)
        let previous = try #require(second.json["previous"] as? String)
        #expect(previous.hasSuffix("/api/admin/users/?page_size=3&search=example"), "page 1 has no page parameter: \(previous)")
        let ids = (second.json["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted() && ids.count == 3)
        let last = try await client.get(AdminPath.users + "?page_size=3&search=example&page=3", bearer: staff.access)
        #expect(last.json["next"] is NSNull)
        // `?page=last` (DRF's last_page_strings) is the last page; an empty `page` is the first.
        let named = try await client.get(AdminPath.users + "?page_size=3&search=example&page=last", bearer: staff.access)
        #expect(named.status == 200 && named.json["next"] is NSNull, "\(named.text)")
        #expect((named.json["results"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }
                == (last.json["results"] as? [[String: Any]])?.compactMap { $0["id"] as? Int })
        #expect((named.json["previous"] as? String)?.hasSuffix("?page_size=3&search=example&page=2") == true, "\(named.text)")
        let empty = try await client.get(AdminPath.users + "?page_size=3&search=example&page=", bearer: staff.access)
        #expect(empty.status == 200 && empty.json["previous"] is NSNull)
        for page in ["4", "0", "x", "99999999999999999999"] {
            let past = try await client.get(AdminPath.users + "?page_size=3&search=example&page=\(page)", bearer: staff.access)
            #expect(past.status == 404 && past["detail"] == "Invalid page.", "page \(page)")
        }
        let huge = try await client.get(AdminPath.users + "?page_size=100000", bearer: staff.access)
        #expect(huge.status == 200 && huge.json["count"] as? Int == 9)

        // The fields staff see, and the detail with the active sessions (without `current`).
        let adaRow = try #require((try await client.get(AdminPath.users + "?search=ada@", bearer: staff.access)).json["results"] as? [[String: Any]]).first
        let ada = try #require(adaRow)
        #expect(ada["is_active"] as? Bool == true && ada["mfa_enabled"] as? Bool == false && ada["password"] == nil)
        #expect(ada["last_login"] is String)
        let adaId = try #require(ada["id"] as? Int)
        let detail = try await client.get(AdminPath.user(adaId), bearer: staff.access)
        let sessions = try #require(detail.json["sessions"] as? [[String: Any]])
        #expect(sessions.count == 3, "signup, verify-email and the login each opened one")
        #expect(sessions.allSatisfy { $0["current"] == nil && $0["id"] is String && $0["refresh_jti"] == nil })
        #expect(try await client.get(AdminPath.user(999_999), bearer: staff.access).status == 404)
        #expect(try await client.get(AdminPath.prefix + "/users/abc/", bearer: staff.access).status == 404)
    }

    @Test("Pagination links: absolute as DRF writes them, https and the public host only from a trusted proxy, never a forged host")
    func paginationLinks() async throws {
        let server = try await TestServer(environment: ["AUTH_TRUSTED_PROXIES": "127.0.0.1"], mode: .live)
        let untrusting = try await TestServer(mode: .live)
        for current in [server, untrusting] {
            let staff = try await current.staff("root@example.com")
            #expect(try await current.signup("second@example.com").status == 201)
            func next(_ headers: [(String, String)]) async throws -> String? {
                let page = try await current.client().send(.get, AdminPath.users + "?page_size=1",
                                                           headers: [("Authorization", "Bearer \(staff.access)"), ("Host", "127.0.0.1:\(current.port)")] + headers)
                #expect(page.status == 200, "\(page.text)")
                return page.json["next"] as? String
            }
            let plain = try #require(try await next([]))
            #expect(plain == "http://127.0.0.1:\(current.port)/api/admin/users/?page_size=1&page=2", "\(plain)")
            let forwarded = try await next([("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "auth.example.com")])
            if current === server {
                #expect(forwarded == "https://auth.example.com/api/admin/users/?page_size=1&page=2", "the proxy is trusted")
                let forged = try await next([("X-Forwarded-Host", "evil.example/<script>")])
                #expect(forged == "/api/admin/users/?page_size=1&page=2", "a host that is no authority gives a path-only link: \(forged ?? "nil")")
            } else {
                #expect(forwarded == plain, "the peer is no trusted proxy: its X-Forwarded-* count for nothing")
            }
        }
    }

    @Test("PATCH names and flags; deactivating ends every session at once; the last active staff account stays; audit names the actor")
    func updateAndLastStaff() async throws {
        let server = try await TestServer()
        let client = server.client()
        let root = try await server.staff("root@example.com")
        let user = try await server.verifiedUser("worker@example.com")
        let access = try #require(user["access"]), refresh = try #require(user["refresh"])
        let id = try #require(user.json["id"] as? Int)

        let bad = try await client.patch(AdminPath.user(id), ["is_active": "perhaps", "first_name": String(repeating: "x", count: 151)], bearer: root.access)
        #expect(bad.status == 400 && !bad.fieldErrors("is_active").isEmpty && !bad.fieldErrors("first_name").isEmpty)
        let renamed = try await client.patch(AdminPath.user(id), ["first_name": "Wor", "last_name": "Ker", "email": "ignored@example.com"], bearer: root.access)
        #expect(renamed.status == 200 && renamed["first_name"] == "Wor" && renamed["email"] == "worker@example.com")
        #expect(try await client.get(Path.me, bearer: access).json["first_name"] as? String == "Wor")

        let off = try await client.patch(AdminPath.user(id), ["is_active": false], bearer: root.access)
        #expect(off.status == 200 && off.json["is_active"] as? Bool == false)
        #expect(try await client.get(Path.me, bearer: access).status == 401, "deactivation holds on the next request")
        #expect(try await client.post(Path.refresh, ["refresh": refresh]).status == 401)
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM login_sessions WHERE user_id = \(id) AND revoked_at IS NULL") == 0)
        #expect(try await client.patch(AdminPath.user(id), ["is_active": true, "is_staff": true], bearer: root.access).status == 200)
        let promoted = try await client.post(Path.login, ["email": "worker@example.com", "password": TestServer.password])
        let promotedAccess = try #require(promoted["access"])
        #expect(try await client.get(AdminPath.users, bearer: promotedAccess).status == 200)

        // Two active staff: either may go, not both.
        #expect(try await client.patch(AdminPath.user(id), ["is_staff": false], bearer: root.access).status == 200)
        for change: [String: any Sendable] in [["is_staff": false], ["is_active": false]] {
            let refused = try await client.patch(AdminPath.user(root.id), change, bearer: root.access)
            #expect(refused.status == 400 && refused.code == "last_staff", "\(change): \(refused.text)")
        }
        let deleteSelf = try await client.delete(AdminPath.user(root.id), bearer: root.access)
        #expect(deleteSelf.status == 400 && deleteSelf.code == "last_staff")
        #expect(try await client.get(Path.me, bearer: root.access).json["is_staff"] as? Bool == true)

        let events = try await client.get(AdminPath.events + "?type=admin_user_updated&user_id=\(id)", bearer: root.access)
        let rows = try #require(events.json["results"] as? [[String: Any]])
        #expect(rows.count == 4 && rows.allSatisfy { $0["actor_id"] as? Int == root.id && $0["user_id"] as? Int == id })
        let ids = rows.compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted(by: >), "newest first")
        #expect(rows.first?["detail"] as? String == "is_staff")
    }

    @Test("Two staff accounts removing each other at once: exactly one wins (replicas included)")
    func lastStaffRace() async throws {
        let server = try await TestServer()
        for round in 0..<4 {
            let a = try await server.staff("a\(round)@example.com")
            let b = try await server.staff("b\(round)@example.com")
            // Only these two are active staff: earlier rounds' survivor is demoted by the database directly.
            _ = try await server.sql("UPDATE users SET is_staff = \(TestBackend.isPostgres ? "FALSE" : "0") WHERE id NOT IN (\(a.id), \(b.id))")
            let change: [String: any Sendable] = round % 2 == 0 ? ["is_staff": false] : ["is_active": false]
            let (one, two) = (server.client(), server.client())
            async let first = one.patch(AdminPath.user(b.id), change, bearer: a.access)
            async let second = two.patch(AdminPath.user(a.id), change, bearer: b.access)
            let statuses = [try await first.status, try await second.status].sorted()
            #expect(statuses == [200, 400] || statuses == [200, 401] || statuses == [200, 403], "round \(round): \(statuses)")
            #expect(try await server.sqlInt("SELECT COUNT(*) FROM users WHERE is_staff AND is_active") == 1, "round \(round)")
        }
    }

    @Test("logout-all, send-otp (mailed by the worker, no cooldown), MFA reset with its notice, mail list and requeue of a dead job")
    func actions() async throws {
        let sink = try await SMTPSink()
        let server = try await TestServer()
        let client = server.client()
        let root = try await server.staff("root@example.com")
        // Enrolled before the worker starts: its verification mail would replace the planted code.
        let enrolled = try await MFATests.enroll(server, "mfa-user@example.com")
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": "smtp://127.0.0.1:\(sink.port)"])

        // logout-all: every session of the user ends.
        let mfaId = try #require(try await client.get(Path.me, bearer: enrolled.access).json["id"] as? Int)
        #expect(try await client.post(AdminPath.logoutAll(mfaId), [:], bearer: root.access).status == 205)
        #expect(try await client.get(Path.me, bearer: enrolled.access).status == 401)
        #expect(try await client.post(AdminPath.logoutAll(999_999), [:], bearer: root.access).status == 404)

        // MFA reset: the password alone signs in again; a notice goes out.
        #expect(try await client.post(Path.login, ["email": "mfa-user@example.com", "password": TestServer.password]).json["mfa_required"] as? Bool == true)
        #expect(try await client.delete(AdminPath.mfa(mfaId), bearer: root.access).status == 204)
        let plain = try await client.post(Path.login, ["email": "mfa-user@example.com", "password": TestServer.password])
        #expect(plain.status == 200 && plain["access"] != nil && plain.json["mfa_enabled"] as? Bool == false)
        try await eventually("the notice that MFA was turned off", observing: { sink.messages(to: "mfa-user@example.com") },
                             until: { $0.contains { $0.plainText.contains("turned off") } })

        // send-otp: twice in a row (no cooldown for staff), each mailed with a code; verified accounts refused.
        #expect(try await server.signup("unverified@example.com").status == 201)
        let unverifiedId = try await server.sqlInt("SELECT id FROM users WHERE email_key = 'unverified@example.com'")
        _ = try await sink.waitFor(1, to: "unverified@example.com")
        for _ in 0..<2 {
            let sent = try await client.post(AdminPath.sendOTP(unverifiedId), [:], bearer: root.access)
            #expect(sent.status == 202 && sent["detail"] != nil)
        }
        let codes = try await sink.waitFor(3, to: "unverified@example.com").compactMap(\.code)
        #expect(codes.count == 3)
        // The code stored last works (two workers may deliver the two mails in either order).
        var statuses: [Int] = []
        for code in codes.reversed() where !statuses.contains(200) {
            statuses.append(try await client.post(Path.verifyEmail, ["email": "unverified@example.com", "otp": code]).status)
        }
        #expect(statuses.last == 200, "\(statuses)")
        let already = try await client.post(AdminPath.sendOTP(unverifiedId), [:], bearer: root.access)
        #expect(already.status == 400 && already.code == "already_verified")
        // A deactivated account gets no mail (the worker skips it): refused, not a 202 for nothing.
        #expect(try await server.signup("inactive@example.com").status == 201)
        let inactiveId = try await server.sqlInt("SELECT id FROM users WHERE email_key = 'inactive@example.com'")
        #expect(try await client.patch(AdminPath.user(inactiveId), ["is_active": false], bearer: root.access).status == 200)
        let inactive = try await client.post(AdminPath.sendOTP(inactiveId), [:], bearer: root.access)
        #expect(inactive.status == 400 && inactive.code == "account_inactive", "\(inactive.text)")

        // Mail: by state; never a code; requeue only a dead job.
        _ = try await server.waitForQueue("queued", count: 0)
        let jobs = try await client.get(AdminPath.mail + "?state=done", bearer: root.access)
        let rows = try #require(jobs.json["results"] as? [[String: Any]])
        #expect(rows.count >= 5 && rows.allSatisfy { $0["state"] as? String == "done" })
        #expect(!jobs.text.contains(codes[0]) && !jobs.text.contains(codes[2]))
        #expect(Set(rows.first?.keys.map { $0 } ?? []) == ["id", "kind", "to", "state", "attempts", "last_error", "created_at", "updated_at"])
        let doneId = try #require(rows.first?["id"] as? Int)
        let notDead = try await client.post(AdminPath.requeue(doneId), [:], bearer: root.access)
        #expect(notDead.status == 400 && notDead.code == "not_dead")
        _ = await worker.stop()
        _ = try await server.sql("UPDATE mail_jobs SET state = 'dead', last_error = 'smtp 550 (test)', attempts = 8 WHERE id = \(doneId)")
        let dead = try await client.get(AdminPath.mail + "?state=dead", bearer: root.access)
        #expect((dead.json["results"] as? [[String: Any]])?.first?["last_error"] as? String == "smtp 550 (test)")
        let requeued = try await client.post(AdminPath.requeue(doneId), [:], bearer: root.access)
        #expect(requeued.status == 200 && requeued["state"] == "queued" && requeued.json["attempts"] as? Int == 0)
        #expect(try await client.post(AdminPath.requeue(999_999), [:], bearer: root.access).status == 404)
        let badState = try await client.get(AdminPath.mail + "?state=lost", bearer: root.access)
        #expect(badState.status == 400 && !badState.fieldErrors("state").isEmpty)

        let actions = Set(try await server.sql("SELECT event FROM auth_events WHERE actor_id = \(root.id)"))
        #expect(actions == ["admin_logout_all", "admin_mfa_reset", "admin_code_sent", "admin_mail_requeued", "admin_user_updated"])
        let events = try await client.get(AdminPath.events + "?user_id=abc", bearer: root.access)
        #expect(events.status == 400 && !events.fieldErrors("user_id").isEmpty)
    }
}
