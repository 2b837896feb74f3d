import Foundation
import HTTPTypes
import Testing

@Suite("Bad input gets the contract's 4xx, never a 500")
struct RobustnessTests {
    @Test("Trailing slash variants answer alike; unknown routes 404 JSON; wrong methods 405 with Allow")
    func routing() async throws {
        let server = try await TestServer()
        let client = server.client()
        let withSlash = try await client.post(Path.signup, [:])
        let without = try await client.post("/api/accounts/signup", [:])
        #expect(withSlash.status == 400 && without.status == 400 && withSlash.body == without.body)
        #expect(try await client.get("/healthz/").status == 200)
        let health = try await client.get("/healthz")
        #expect(health.status == 200 && health["status"] == "ok")

        let unknown = try await client.get("/api/accounts/nope/")
        #expect(unknown.status == 404 && unknown.code == "not_found")
        #expect(unknown.header("Content-Type") == "application/json; charset=utf-8")

        for method in [HTTPRequest.Method.get, .put, .delete, HTTPRequest.Method("TRACE")!, HTTPRequest.Method("PROPFIND")!] {
            let r = try await client.send(method, Path.login)
            #expect(r.status == 405, "\(method)")
            #expect(r.code == "method_not_allowed")
            #expect(r.header("Allow")?.contains("POST") == true)
        }
        let mePut = try await client.send(.put, Path.me)
        #expect(mePut.status == 405 && mePut.header("Allow") == "DELETE, GET, HEAD, OPTIONS, PATCH")
        let options = try await client.send(.options, Path.me)
        #expect(options.status == 204 && options.header("Allow") == "DELETE, GET, HEAD, OPTIONS, PATCH")
        #expect(health.header("Server") == nil)
    }

    @Test("Bodies: 64 KiB is read, one byte more is 413; forms 415; arrays, null, invalid UTF-8 400")
    func bodies() async throws {
        let server = try await TestServer()
        let client = server.client()
        let prefix = Data(#"{"email":"big@example.com","password":"correct horse battery staple","first_name":""#.utf8)
        let suffix = Data(#""}"#.utf8)
        func body(total: Int) -> Data { prefix + Data(repeating: 0x61, count: total - prefix.count - suffix.count) + suffix }
        let exact = try await client.send(.post, Path.signup, body: body(total: 65_536))
        #expect(exact.status == 400)
        #expect(exact.fieldErrors("first_name") == ["Ensure this field has no more than 150 characters."])
        let over = try await client.send(.post, Path.signup, body: body(total: 65_537))
        #expect(over.status == 413)
        #expect(over.header("Content-Type") == "application/json; charset=utf-8")

        for type in ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "application/xml"] {
            let r = try await client.send(.post, Path.login, body: Data("email=a".utf8), contentType: type)
            #expect(r.status == 415 && r.code == "unsupported_media_type", "\(type)")
        }
        for raw in ["[]", "null", "\"x\"", "42", "{", #"{"email": "a@example.com""#] {
            let r = try await client.send(.post, Path.login, body: Data(raw.utf8))
            #expect(r.status == 400, "\(raw)")
        }
        let invalidUTF8 = try await client.send(.post, Path.login, body: Data([0x7B, 0x22, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]))
        #expect(invalidUTF8.status == 400)
        let charset = try await client.send(.post, Path.login, body: Data(#"{"email":"a@example.com","password":"x"}"#.utf8), contentType: "Application/JSON; charset=UTF-8")
        #expect(charset.status == 401)
        let nested = try await client.send(.post, Path.signup, body: Data(String(repeating: "[", count: 5_000).utf8))
        #expect(nested.status == 400)
    }

    @Test("A stream of hostile requests leaves the server up and answering")
    func hostileMix() async throws {
        let server = try await TestServer()
        let client = server.client()
        let bodies: [String] = [
            #"{"email": {"$ne": null}, "password": {"$gt": ""}}"#,
            #"{"email": "a@example.com'; DROP TABLE users;--", "password": "x"}"#,
            #"{"email": "\u0000@example.com", "password": "\u0000"}"#,
            #"{"email": 1e999, "password": -0}"#,
            #"{"refresh": ["a"], "token": {"x": 1}}"#,
        ]
        for path in [Path.signup, Path.login, Path.refresh, Path.verify, Path.logout, Path.sendOTP, Path.verifyEmail] {
            for body in bodies {
                let r = try await client.send(.post, path, body: Data(body.utf8))
                #expect((400..<500).contains(r.status), "\(path) \(body) -> \(r.status) \(r.text)")
            }
        }
        #expect(try await client.get("/healthz").status == 200)
    }
}
