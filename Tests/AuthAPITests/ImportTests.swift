import Foundation
import Shared
import Testing

/// `AuthAPI import-django` with files written by a real Django (`manage.py dumpdata` of
/// `auth.User` and of a custom model like the seed's), whose password hashes Django's own
/// hashers made: each format signs in and is upgraded to Argon2id, ids are kept, the id
/// sequence continues, and a bad file changes nothing.
@Suite("Moving from Django: import-django")
struct ImportTests {
    static let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../clients/django_users.py").standardizedFileURL.path

    /// Runs the real Django once per test: the two dumps and what they hold.
    static func dumps() async throws -> (directory: URL, expected: [String: [[String: Any]]]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("django-\(UUID().uuidString)")
        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"), ["python3", scriptPath, directory.path],
            environment: ProcessInfo.processInfo.environment.merging(["DJANGO_TEST_PASSWORD": TestServer.password]) { _, new in new })
        #expect(result.status == 0, "\(result.output)")
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[String: Any]]])
        return (directory, expected)
    }

    static func importFile(_ server: TestServer, _ path: String) async throws -> TestServer.RunResult {
        try await TestServer.run(["import-django", path], environment: server.environment)
    }

    @Test("auth.User from a real Django: pbkdf2_sha256, argon2 (p=8) and bcrypt_sha256 sign in and are upgraded; ids, flags and dates kept; the sequence continues")
    func authUsers() async throws {
        let (directory, expected) = try await Self.dumps()
        let users = try #require(expected["auth_users.json"])
        let server = try await TestServer()
        let client = server.client()
        let imported = try await Self.importFile(server, directory.appendingPathComponent("auth_users.json").path)
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("Imported 5 users") && imported.output.contains("the next id is 16"), "\(imported.output)")
        #expect(imported.output.contains("1 with an unusable password"))

        for user in users {
            let id = try #require(user["id"] as? Int), email = try #require(user["email"] as? String)
            let hasher = try #require(user["hasher"] as? String)
            let stored = try #require(try await server.sql("SELECT password FROM users WHERE id = \(id)").first)
            #expect(hasher == "unusable" ? stored.hasPrefix("!") : stored.hasPrefix(hasher + "$"), "stored as Django wrote it: \(stored.prefix(24))")
            let lastLogin = try await server.sql("SELECT last_login FROM users WHERE id = \(id)").first
            if let text = user["last_login"] as? String {
                #expect(Double(lastLogin ?? "").map { abs($0 - (DjangoDateTimeProbe.seconds(text) ?? 0)) < 0.001 } == true, "\(text) vs \(lastLogin ?? "")")
            } else {
                #expect(lastLogin == "NULL")
            }
            let login = try await client.post(Path.login, ["email": email.lowercased(), "password": TestServer.password])
            guard hasher != "unusable" else {
                #expect(login.status == 401, "an unusable password never verifies")
                continue
            }
            #expect(login.status == 200, "\(hasher): \(login.text)")
            #expect(login.json["id"] as? Int == id)
            #expect(login.json["is_staff"] as? Bool == user["is_staff"] as? Bool)
            #expect(login.json["is_verified"] as? Bool == true, "auth.User has no flag: an address is taken as verified")
            #expect(login["first_name"] == user["first_name"] as? String)
            let joined = try #require(user["date_joined"] as? String)
            #expect(login["date_joined"] == String(joined.prefix(19)) + "Z")
            let upgraded = try #require(try await server.sql("SELECT password FROM users WHERE id = \(id)").first)
            #expect(upgraded.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"), "upgraded at the first login: \(upgraded.prefix(30))")
            #expect(try await client.post(Path.login, ["email": email, "password": TestServer.password]).status == 200)
            #expect(try await client.post(Path.login, ["email": email, "password": "not the password"]).status == 401)
        }
        // The address as Django kept it, domain lower-cased as this service stores addresses.
        #expect(try await server.sql("SELECT email FROM users WHERE id = 12") == ["Staff.Person@example.com"])
        let next = try await server.signup("after-import@example.com")
        #expect(next.json["id"] as? Int == 16, "the id sequence continues after the largest imported id")
    }

    @Test("The seed's custom model (is_verified kept) and every refusal: invalid or duplicate addresses with their lines, ids or addresses taken, not JSON — nothing changes")
    func customModelAndRefusals() async throws {
        let (directory, expected) = try await Self.dumps()
        let server = try await TestServer()
        let client = server.client()
        #expect(try await server.signup("existing@example.com").status == 201)
        let before = try await server.sqlInt("SELECT COUNT(*) FROM users")

        // A bad file: the custom dump with one address made invalid and one made a duplicate.
        let good = try String(contentsOf: directory.appendingPathComponent("custom_users.json"), encoding: .utf8)
        let bad = good.replacingOccurrences(of: "\"unverified@example.com\"", with: "\"not an address\"")
            .replacingOccurrences(of: "\"bcrypt-custom@example.com\"", with: "\"VERIFIED@example.com\"")
        let badPath = directory.appendingPathComponent("bad.json").path
        try bad.write(toFile: badPath, atomically: true, encoding: .utf8)
        let lines = bad.split(separator: "\n", omittingEmptySubsequences: false)
        func recordLine(pk: Int) -> Int { (lines.firstIndex { $0.contains("\"pk\": \(pk),") } ?? 0) + 1 - 2 }
        let refused = try await Self.importFile(server, badPath)
        #expect(refused.status != 0)
        #expect(refused.output.contains("bad.json:\(recordLine(pk: 2)): user 2: invalid address \"not an address\""), "\(refused.output)")
        #expect(refused.output.contains("bad.json:\(recordLine(pk: 5)): user 5: duplicate address VERIFIED@example.com (also on line \(recordLine(pk: 1)))"),
                "\(refused.output)")
        #expect(refused.output.contains("nothing was imported"))
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM users") == before)

        // An address that already has an account here.
        let clash = good.replacingOccurrences(of: "\"bcrypt-custom@example.com\"", with: "\"Existing@Example.com\"")
        let clashPath = directory.appendingPathComponent("clash.json").path
        try clash.write(toFile: clashPath, atomically: true, encoding: .utf8)
        let taken = try await Self.importFile(server, clashPath)
        #expect(taken.status != 0 && taken.output.contains("already has an account"), "\(taken.output)")
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM users") == before)
        try "not json".write(toFile: badPath, atomically: true, encoding: .utf8)
        let garbage = try await Self.importFile(server, badPath)
        #expect(garbage.status != 0 && garbage.output.contains("not JSON"))
        #expect(try await Self.importFile(server, directory.appendingPathComponent("missing.json").path).status != 0)

        // The good file: the taken id 1 (the signup above) refuses it too; then into a fresh database.
        let idTaken = try await Self.importFile(server, directory.appendingPathComponent("custom_users.json").path)
        #expect(idTaken.status != 0 && idTaken.output.contains("user 1: the id is taken"), "\(idTaken.output)")
        let fresh = try await TestServer()
        let imported = try await Self.importFile(fresh, directory.appendingPathComponent("custom_users.json").path)
        #expect(imported.status == 0, "\(imported.output)")
        for user in try #require(expected["custom_users.json"]) {
            let email = try #require(user["email"] as? String)
            let login = try await fresh.client().post(Path.login, ["email": email, "password": TestServer.password])
            if user["is_verified"] as? Bool == true {
                #expect(login.status == 200 && login.json["id"] as? Int == user["id"] as? Int, "\(email): \(login.text)")
            } else {
                #expect(login.status == 403 && login.code == "email_not_verified", "\(email): \(login.text)")
            }
        }
        let again = try await Self.importFile(fresh, directory.appendingPathComponent("custom_users.json").path)
        #expect(again.status != 0 && again.output.contains("the id is taken"), "a second import of the same file changes nothing")
        _ = client
    }
}

/// Django's date-time strings as Unix seconds, to compare with the stored values.
enum DjangoDateTimeProbe {
    static func seconds(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
