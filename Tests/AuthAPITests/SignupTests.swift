import Foundation
import Shared
import Testing

@Suite("Signup")
struct SignupTests {
    @Test("201 with user fields and tokens; the user and one verification mail are stored together")
    func signupCreatesUserAndQueuesMail() async throws {
        let server = try await TestServer()
        let response = try await server.signup("  Ada@Example.COM ", extra: ["first_name": "Ada", "is_staff": true, "is_verified": true, "id": 99])
        #expect(response.status == 201)
        #expect(response["email"] == "Ada@example.com")
        #expect(response["first_name"] == "Ada")
        #expect(response.json["is_staff"] as? Bool == false)
        #expect(response.json["is_verified"] as? Bool == false)
        #expect(response.json["id"] as? Int == 1)
        #expect(response["access"] != nil && response["refresh"] != nil)
        #expect(response.json["password"] == nil)
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        let dateJoined = try #require(response["date_joined"])
        #expect(dateJoined.hasSuffix("Z") && dateJoined.count == 20)

        #expect(try await server.sql("SELECT kind || ' ' || state FROM mail_jobs") == ["verify_email queued"])
        let payload = try #require(try await server.sql("SELECT payload FROM mail_jobs").first)
        #expect(try JSONDecoder().decode(MailJob.Payload.self, from: Data(payload.utf8)) == MailJob.Payload(userId: 1, email: "Ada@example.com"))
        let stored = try #require(try await server.withDatabase { try await $0.user(emailKey: "ada@example.com") })
        #expect(stored.password.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
    }

    @Test("Field errors: all missing fields at once, invalid e-mail, weak password, long names, wrong types")
    func fieldErrors() async throws {
        let server = try await TestServer()
        let client = server.client()
        let empty = try await client.post(Path.signup, [:])
        #expect(empty.status == 400)
        #expect(empty.fieldErrors("email") == ["This field is required."])
        #expect(empty.fieldErrors("password") == ["This field is required."])

        let onlyBadEmail = try await client.post(Path.signup, ["email": "bad", "first_name": String(repeating: "x", count: 151)])
        #expect(onlyBadEmail.fieldErrors("email") == ["Enter a valid email address."])
        #expect(onlyBadEmail.fieldErrors("password") == ["This field is required."])
        #expect(onlyBadEmail.fieldErrors("first_name") == ["Ensure this field has no more than 150 characters."])

        let bad = try await client.post(Path.signup, ["email": "not-an-email", "password": "12345678"])
        #expect(bad.status == 400)
        #expect(bad.fieldErrors("email") == ["Enter a valid email address."])
        #expect(bad.fieldErrors("password").contains("This password is too common."))
        #expect(bad.fieldErrors("password").contains("This password is entirely numeric."))

        let similar = try await client.post(Path.signup, ["email": "margaret.hamilton@example.com", "password": "hamilton.margaret"])
        #expect(similar.fieldErrors("password").contains("The password is too similar to the email address."))

        let long = try await client.post(Path.signup, ["email": "a@example.com", "password": TestServer.password, "first_name": String(repeating: "x", count: 151)])
        #expect(long.fieldErrors("first_name") == ["Ensure this field has no more than 150 characters."])

        let types = try await client.post(Path.signup, ["email": 42, "password": ["x"], "last_name": NSNull()])
        #expect(types.status == 400)
        #expect(types.fieldErrors("email") == ["Not a valid string."])
        #expect(types.fieldErrors("password") == ["Not a valid string."])
        #expect(types.fieldErrors("last_name") == ["This field may not be null."])

        // As DRF's CharField: NUL is refused in every string field (PostgreSQL text cannot hold it).
        let nul = try await client.post(Path.signup, ["email": "n@example.com", "password": "pass\u{0}word long enough", "first_name": "A\u{0}"])
        #expect(nul.status == 400)
        #expect(nul.fieldErrors("password") == ["Null characters are not allowed."])
        #expect(nul.fieldErrors("first_name") == ["Null characters are not allowed."])

        let huge = try await client.post(Path.signup, ["email": "b@example.com", "password": String(repeating: "Zq9!", count: 1_100)])
        #expect(huge.fieldErrors("password") == ["Ensure this field has no more than 4096 characters."])

        for address in ["a\u{200B}b@example.com", "a b@example.com", "ab@exa\u{202E}mple.com", "a\u{00AD}b@example.com",
                        "x@" + String(repeating: "a", count: 250) + ".com", "tab\t@example.com", "ab@-example.com", "ab@example.c0m"] {
            let r = try await client.post(Path.signup, ["email": address, "password": TestServer.password])
            #expect(r.fieldErrors("email") == ["Enter a valid email address."], "\(address)")
        }
        let idn = try await client.post(Path.signup, ["email": "jose@bücher.example", "password": TestServer.password])
        #expect(idn.status == 201)

        // Nothing of the failed attempts was stored.
        let counts = (try await server.sqlInt("SELECT COUNT(*) FROM users"), try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs"))
        #expect(counts.0 == 1 && counts.1 == 1)
    }

    @Test("The address is unique case-insensitively")
    func duplicateAddress() async throws {
        let server = try await TestServer()
        #expect(try await server.signup("grace@example.com").status == 201)
        let again = try await server.signup("GRACE@EXAMPLE.com")
        #expect(again.status == 400)
        #expect(again.fieldErrors("email") == ["user with this email address already exists."])
    }

    @Test("20 parallel signups of one address: exactly one 201 and one mail")
    func parallelSignups() async throws {
        let server = try await TestServer()
        let client = server.client()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<20 {
                group.addTask {
                    try await client.post(Path.signup, ["email": i % 2 == 0 ? "race@example.com" : "RACE@example.com", "password": TestServer.password]).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1)
        #expect(statuses.filter { $0 == 400 }.count == 19)
        let jobs = try await server.sqlInt("SELECT COUNT(*) FROM mail_jobs")
        #expect(jobs == 1)
    }
}
