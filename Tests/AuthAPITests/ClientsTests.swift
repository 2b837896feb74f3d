import Foundation
import Shared
import TestSupport
import Testing

/// The OpenID Provider's clients through `/api/admin/clients/` and `AuthAPI clients …`: staff
/// only, the contract's shapes, a secret shown once and stored only as a keyed hash, every
/// change audited with its actor (none from the command line).
@Suite("OpenID Provider clients")
struct ClientsTests {
    static let prefix = "/api/admin/clients/"
    static func one(_ id: String) -> String { prefix + id + "/" }

    @Test("Staff only: 401 without a token, 403 for a user who is not staff")
    func staffOnly() async throws {
        let server = try await TestServer()
        let client = server.client()
        #expect(try await client.get(Self.prefix).status == 401)
        let user = try #require(try await server.verifiedUser("plain@example.com")["access"])
        #expect(try await client.get(Self.prefix, bearer: user).status == 403)
        #expect(try await client.post(Self.prefix, ["name": "x", "redirect_uris": ["https://a.example/cb"]], bearer: user).status == 403)
    }

    @Test("Create, read, list, change, rotate, delete: the contract's shapes, the secret once, audited with the actor")
    func lifecycle() async throws {
        let server = try await TestServer()
        let client = server.client()
        let staff = try await server.staff("clients-admin@example.com")

        let created = try await client.post(Self.prefix, [
            "name": "Grafana", "redirect_uris": ["https://grafana.example.com/login/generic_oauth"],
            "post_logout_redirect_uris": ["https://grafana.example.com/"], "first_party": true,
        ], bearer: staff.access)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created["client_id"])
        let secret = try #require(created["client_secret"])
        #expect(id.count >= 22 && secret.count >= 43)
        #expect(created.json["public"] as? Bool == false && created.json["first_party"] as? Bool == true)
        #expect(created.json["require_pkce"] as? Bool == true && created["created_at"] != nil)
        #expect(created.json["redirect_uris"] as? [String] == ["https://grafana.example.com/login/generic_oauth"])
        #expect(created.json["post_logout_redirect_uris"] as? [String] == ["https://grafana.example.com/"])
        // Stored only as a keyed hash.
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM oauth_clients WHERE secret_hash IS NOT NULL") == 1)
        let stored = try await server.sql("SELECT name FROM oauth_clients")
        #expect(stored == ["Grafana"])

        let shown = try await client.get(Self.one(id), bearer: staff.access)
        #expect(shown.status == 200 && shown["client_secret"] == nil && shown["client_id"] == id)
        let listed = try await client.get(Self.prefix, bearer: staff.access)
        let results = try #require(listed.json["results"] as? [[String: Any]])
        #expect(listed.json["count"] as? Int == 1 && results.first?["client_id"] as? String == id && results.first?["client_secret"] == nil)

        let patched = try await client.patch(Self.one(id), [
            "name": "Grafana (prod)", "require_pkce": false, "public": true, "redirect_uris": ["https://grafana.example.com/cb"],
        ], bearer: staff.access)
        #expect(patched.status == 200, "\(patched.text)")
        #expect(patched["name"] == "Grafana (prod)" && patched.json["require_pkce"] as? Bool == false)
        #expect(patched.json["public"] as? Bool == false, "public is read-only")
        #expect(patched.json["redirect_uris"] as? [String] == ["https://grafana.example.com/cb"])

        let rotated = try await client.post(Self.one(id) + "rotate-secret/", [:], bearer: staff.access)
        #expect(rotated.status == 200 && rotated["client_id"] == id)
        let newSecret = try #require(rotated["client_secret"])
        #expect(newSecret != secret)

        #expect(try await client.delete(Self.one(id), bearer: staff.access).status == 204)
        #expect(try await client.get(Self.one(id), bearer: staff.access).status == 404)
        #expect(try await client.delete(Self.one(id), bearer: staff.access).status == 404)

        let events = try await server.sql(
            "SELECT event || ':' || COALESCE(CAST(actor_id AS TEXT), '-') || ':' || detail FROM auth_events WHERE event LIKE 'client_%' ORDER BY id")
        #expect(events == ["client_created:\(staff.id):\(id)", "client_secret_rotated:\(staff.id):\(id)", "client_deleted:\(staff.id):\(id)"])
    }

    @Test("Public clients: no secret, PKCE always, private-use schemes; rotation refused")
    func publicClients() async throws {
        let server = try await TestServer()
        let client = server.client()
        let staff = try await server.staff("public-admin@example.com")
        let refused = try await client.post(Self.prefix, [
            "name": "CLI", "redirect_uris": ["com.example.cli:/cb"], "public": true, "require_pkce": false,
        ], bearer: staff.access)
        #expect(refused.status == 400 && refused.json["require_pkce"] != nil, "\(refused.text)")
        let created = try await client.post(Self.prefix, [
            "name": "CLI", "redirect_uris": ["com.example.cli:/cb", "http://127.0.0.1:7777/cb"], "public": true,
        ], bearer: staff.access)
        #expect(created.status == 201, "\(created.text)")
        #expect(created["client_secret"] == nil && created.json["public"] as? Bool == true && created.json["require_pkce"] as? Bool == true)
        let id = try #require(created["client_id"])
        let rotate = try await client.post(Self.one(id) + "rotate-secret/", [:], bearer: staff.access)
        #expect(rotate.status == 400 && rotate.code == "public_client", "\(rotate.text)")
        let patch = try await client.patch(Self.one(id), ["require_pkce": false], bearer: staff.access)
        #expect(patch.status == 400 && patch.json["require_pkce"] != nil)
        #expect(try await client.post(Self.one("no-such-client") + "rotate-secret/", [:], bearer: staff.access).status == 404)
        #expect(try await client.get(Self.one("bad%20id"), bearer: staff.access).status == 404)
    }

    @Test("Field errors: name, missing or wrong redirect URIs, fragments, http off loopback, private-use for confidential clients")
    func fieldErrors() async throws {
        let server = try await TestServer()
        let client = server.client()
        let staff = try await server.staff("fields-admin@example.com")
        let cases: [([String: any Sendable], [String])] = [
            ([:], ["name", "redirect_uris"]),
            (["name": "", "redirect_uris": ["https://a.example/cb"]], ["name"]),
            (["name": String(repeating: "n", count: 101), "redirect_uris": ["https://a.example/cb"]], ["name"]),
            (["name": "A", "redirect_uris": [String]()], ["redirect_uris"]),
            (["name": "A", "redirect_uris": "https://a.example/cb"], ["redirect_uris"]),
            (["name": "A", "redirect_uris": ["https://a.example/cb#x"]], ["redirect_uris"]),
            (["name": "A", "redirect_uris": ["http://a.example/cb"]], ["redirect_uris"]),
            (["name": "A", "redirect_uris": ["com.example.app:/cb"]], ["redirect_uris"]),
            (["name": "A", "redirect_uris": ["https://a.example/cb"], "post_logout_redirect_uris": ["ftp://a.example/"]],
             ["post_logout_redirect_uris"]),
        ]
        for (body, fields) in cases {
            let response = try await client.post(Self.prefix, body, bearer: staff.access)
            #expect(response.status == 400, "\(body)")
            #expect(Set(response.json.keys) == Set(fields), "\(body): \(response.text)")
        }
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM oauth_clients") == 0, "nothing stored")
    }

    @Test("AuthAPI clients: create (text and JSON), list, rotate-secret, delete; refusals exit non-zero")
    func commandLine() async throws {
        let server = try await TestServer()
        let env = server.environment
        let made = try await TestServer.run(
            ["clients", "create", "--name", "Nextcloud", "--redirect-uri", "https://cloud.example.com/apps/oidc/cb",
             "--post-logout-redirect-uri", "https://cloud.example.com/"], environment: env)
        #expect(made.status == 0, "\(made.output)")
        let lines = made.stdout.split(separator: "\n").map(String.init)
        let id = try #require(lines.first { $0.hasPrefix("client_id: ") }).dropFirst("client_id: ".count)
        #expect(lines.contains { $0.hasPrefix("client_secret: ") && $0.count >= "client_secret: ".count + 43 })

        let json = try await TestServer.run(
            ["clients", "create", "--name", "Native", "--redirect-uri", "com.example.native:/cb", "--public", "--json"], environment: env)
        #expect(json.status == 0, "\(json.output)")
        let object = try #require(try json.json() as? [String: Any])
        #expect(object["public"] as? Bool == true && object["client_secret"] == nil && object["require_pkce"] as? Bool == true)
        let publicId = try #require(object["client_id"] as? String)

        let list = try await TestServer.run(["clients", "list"], environment: env)
        #expect(list.output.contains("\(id)  Nextcloud  confidential") && list.output.contains("\(publicId)  Native  public"), "\(list.output)")
        let listJSON = try await TestServer.run(["clients", "list", "--json"], environment: env)
        let array = try #require(try listJSON.json() as? [[String: Any]])
        #expect(array.compactMap { $0["client_id"] as? String } == [String(id), publicId])
        #expect(!listJSON.output.contains("client_secret"))

        let rotated = try await TestServer.run(["clients", "rotate-secret", String(id), "--json"], environment: env)
        let rotation = try #require(try rotated.json() as? [String: String])
        #expect(rotation["client_id"] == String(id) && (rotation["client_secret"]?.count ?? 0) >= 43)
        let publicRotation = try await TestServer.run(["clients", "rotate-secret", publicId], environment: env)
        #expect(publicRotation.status != 0 && publicRotation.output.contains("public"), "\(publicRotation.output)")

        for refused in [["clients", "create", "--name", "Bad", "--redirect-uri", "http://example.com/cb"],
                        ["clients", "create", "--name", "", "--redirect-uri", "https://example.com/cb"],
                        ["clients", "create", "--name", "NoURI"],
                        ["clients", "create", "--name", "P", "--redirect-uri", "com.example.p:/cb", "--public", "--no-require-pkce"],
                        ["clients", "delete", "unknown-client"], ["clients", "rotate-secret", "unknown-client"]] {
            let result = try await TestServer.run(refused, environment: env)
            #expect(result.status != 0 && result.output.contains("error"), "\(refused): \(result.output)")
        }
        #expect(try await TestServer.run(["clients", "delete", String(id)], environment: env).status == 0)
        #expect(try await server.sqlInt("SELECT COUNT(*) FROM oauth_clients") == 1)
        let events = try await server.sql("SELECT event FROM auth_events WHERE event LIKE 'client_%' AND actor_id IS NULL ORDER BY id")
        #expect(events == ["client_created", "client_created", "client_secret_rotated", "client_deleted"])
    }
}
