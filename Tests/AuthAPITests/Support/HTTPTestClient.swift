import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A response with its body parsed as JSON when it is JSON.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: Data

    var json: [String: any Sendable] {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: any Sendable]) ?? [:]
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// A JSON array body's objects; nil when the body is not an array.
    var jsonArray: [[String: any Sendable]]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [[String: any Sendable]]
    }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }

    subscript(_ key: String) -> String? { json[key] as? String }

    /// The `code` of a `{"detail", "code"}` body.
    var code: String? { self["code"] }

    func fieldErrors(_ field: String) -> [String] { (json[field] as? [String]) ?? [] }
}

/// Sends one request per connection to a server on loopback, or straight to in-process
/// routers, with full control of headers (duplicates included) and raw bodies. With several
/// replicas, each request goes to the next.
struct HTTPTestClient: Sendable {
    let host: String
    let ports: [Int]
    /// In-process replicas' routers (`TestServer.Mode.router`); empty for servers on a port.
    let routers: [any TestClientProtocol]
    let rotation: ReplicaRotation

    init(host: String, port: Int) {
        self.init(host: host, ports: [port], rotation: ReplicaRotation())
    }

    init(host: String, ports: [Int], rotation: ReplicaRotation) {
        self.host = host
        self.ports = ports
        routers = []
        self.rotation = rotation
    }

    init(routers: [any TestClientProtocol], rotation: ReplicaRotation) {
        host = "localhost"
        ports = []
        self.routers = routers
        self.rotation = rotation
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, body: Data? = nil,
        contentType: String? = "application/json", headers extra: [(String, String)] = []
    ) async throws -> HTTPResult {
        var headers = HTTPFields()
        if body != nil, let contentType { headers[.contentType] = contentType }
        for (name, value) in extra { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let buffer = body.map { ByteBuffer(bytes: $0) }
        let requestHeaders = headers
        if !routers.isEmpty {
            let response = try await routers[rotation.next() % routers.count].executeRequest(
                uri: path, method: method, headers: requestHeaders, body: buffer)
            return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Data(response.body.readableBytesView))
        }
        let port = ports[rotation.next() % ports.count]
        let response = try await TestClient.withClient(host: host, port: port) { client in
            try await client.execute(.init(path, method: method, headers: requestHeaders, body: buffer))
        }
        let data = response.body.map { Data($0.readableBytesView) } ?? Data()
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: data)
    }

    func post(_ path: String, _ json: [String: any Sendable], bearer: String? = nil) async throws -> HTTPResult {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await send(.post, path, body: data, headers: bearer.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    func patch(_ path: String, _ json: [String: any Sendable], bearer: String?) async throws -> HTTPResult {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await send(.patch, path, body: data, headers: bearer.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    func get(_ path: String, bearer: String? = nil) async throws -> HTTPResult {
        try await send(.get, path, headers: bearer.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    func delete(_ path: String, bearer: String?) async throws -> HTTPResult {
        try await send(.delete, path, headers: bearer.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }
}

/// Paths of the contract.
enum Path {
    static let prefix = "/api/accounts"
    static let signup = prefix + "/signup/"
    static let login = prefix + "/login/"
    static let me = prefix + "/me/"
    static let refresh = prefix + "/token/refresh/"
    static let verify = prefix + "/token/verify/"
    static let logout = prefix + "/logout/"
    static let sendOTP = prefix + "/send-otp/"
    static let verifyEmail = prefix + "/verify-email/"
    static let passwordReset = prefix + "/password/reset/"
    static let passwordResetConfirm = prefix + "/password/reset/confirm/"
    static let passwordChange = prefix + "/password/change/"
    static let emailChange = prefix + "/email/change/"
    static let emailChangeConfirm = prefix + "/email/change/confirm/"
    static let sessions = prefix + "/sessions/"
    static let logoutAll = prefix + "/logout-all/"
    static let mfa = prefix + "/mfa/"
    static let mfaSetup = prefix + "/mfa/totp/setup/"
    static let mfaConfirm = prefix + "/mfa/totp/confirm/"
    static let mfaDisable = prefix + "/mfa/totp/disable/"
    static let mfaRecoveryCodes = prefix + "/mfa/recovery-codes/"
    static let loginMFA = prefix + "/login/mfa/"
}

extension TestServer {
    static let password = "correct horse battery staple"

    /// Signs up and returns the 201 response (fails the caller's expectations otherwise).
    func signup(_ email: String, password: String = TestServer.password, extra: [String: any Sendable] = [:]) async throws -> HTTPResult {
        var body: [String: any Sendable] = ["email": email, "password": password]
        for (k, v) in extra { body[k] = v }
        return try await client().post(Path.signup, body)
    }

    /// Signs up, verifies with a planted code, and returns the verify-email response (tokens).
    func verifiedUser(_ email: String, password: String = TestServer.password) async throws -> HTTPResult {
        _ = try await signup(email, password: password)
        try await plantCode("123456", email: email)
        return try await client().post(Path.verifyEmail, ["email": email, "otp": "123456"])
    }
}
