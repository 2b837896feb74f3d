import Foundation
import NIOPosix
import Shared
import TestSupport
import Testing

/// The provider with a relying party nobody here wrote on the other side: authlib
/// (`Tests/clients/oidc_rp.py`) discovers the provider, sends the browser through the code flow
/// with PKCE, exchanges the code with `client_secret_basic`, validates the ID token against the
/// JWKS and calls userinfo.
@Suite("OpenID Provider with authlib as the relying party")
struct RelyingPartyTests {
    static let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("clients/oidc_rp.py").path

    /// A port free on loopback now: the issuer must name the address the server listens on.
    static func freePort() throws -> Int {
        let socket = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? socket.close().wait() }
        return socket.localAddress?.port ?? 0
    }

    @Test("authlib: discovery, code + PKCE through the built-in pages, the ID token validated by the JWKS, userinfo")
    func authlib() async throws {
        let port = try Self.freePort()
        let issuer = "http://127.0.0.1:\(port)"
        let server = try await TestServer(environment: ["AUTH_PORT": "\(port)", "AUTH_OIDC_ISSUER": issuer], replicas: 1, mode: .processes)
        _ = try await server.verifiedUser("rp-user@example.com")
        _ = try await server.client().send(.get, "/healthz")
        try await server.sql("UPDATE users SET first_name = 'Ada', last_name = 'Lovelace' WHERE email_key = 'rp-user@example.com'")
        let created = try await TestServer.run(
            ["clients", "create", "--name", "authlib RP", "--redirect-uri", "https://rp.example.com/callback", "--first-party", "--json"],
            environment: server.environment)
        let registered = try #require(try created.json() as? [String: Any])
        let clientId = try #require(registered["client_id"] as? String)
        let secret = try #require(registered["client_secret"] as? String)

        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", Self.scriptPath, "--issuer", issuer, "--client-id=\(clientId)", "--client-secret=\(secret)",
             "--redirect-uri", "https://rp.example.com/callback", "--email", "rp-user@example.com", "--password", TestServer.password],
            environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "\(result.output)\n\(server.log)")
        let report = try #require(try TestServer.RunResult(status: result.status, output: result.output, stdout: result.stdout).json() as? [String: Any])
        let claims = try #require(report["id_token"] as? [String: Any])
        let userId = try await server.sqlInt("SELECT id FROM users WHERE email_key = 'rp-user@example.com'")
        #expect(claims["iss"] as? String == issuer && claims["sub"] as? String == "\(userId)" && claims["aud"] as? String == clientId)
        #expect(claims["azp"] as? String == clientId && claims["acr"] as? String == "aal1" && claims["amr"] as? [String] == ["pwd"])
        #expect(claims["email"] as? String == "rp-user@example.com" && claims["email_verified"] as? Bool == true)
        #expect(claims["name"] as? String == "Ada Lovelace" && claims["given_name"] as? String == "Ada")
        #expect(claims["sid"] is String && claims["auth_time"] is Int)
        #expect(report["token_type"] as? String == "Bearer" && report["scope"] as? String == "openid email profile")
        #expect(report["has_refresh"] as? Bool == false, "no refresh token without offline_access")
        #expect(report["iss_in_callback"] as? Bool == true && report["state_kept"] as? Bool == true)
        #expect(report["userinfo_status"] as? Int == 200)
        let userinfo = try #require(report["userinfo"] as? [String: Any])
        #expect(userinfo["sub"] as? String == "\(userId)" && userinfo["email"] as? String == "rp-user@example.com")
        #expect(userinfo["family_name"] as? String == "Lovelace")
    }
}
