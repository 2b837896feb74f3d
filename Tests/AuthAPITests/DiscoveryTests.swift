import Foundation
import Shared
import TestSupport
import Testing

/// The OpenID Provider's discovery document, its keys beside the account keys, and the public
/// CORS rule of its endpoints (the contract's "Discovery and keys").
@Suite("OpenID Provider discovery")
struct DiscoveryTests {
    static let issuer = "https://id.example.com/auth"

    @Test("Off without AUTH_OIDC_ISSUER: discovery is 404 and the JWKS has no provider key")
    func off() async throws {
        let server = try await TestServer()
        #expect(try await server.client().get("/.well-known/openid-configuration").status == 404)
        #expect(try await SigningKeyTests.jwks(server).keys.isEmpty)
    }

    @Test("The document: the issuer exactly, every endpoint under it, what each supports")
    func document() async throws {
        let server = try await TestServer(environment: ["AUTH_OIDC_ISSUER": Self.issuer + "/"])
        let response = try await server.client().get("/.well-known/openid-configuration")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        let json = response.json
        #expect(json["issuer"] as? String == Self.issuer)
        let endpoints = ["authorization_endpoint": "/oauth/authorize", "token_endpoint": "/oauth/token",
                         "userinfo_endpoint": "/oauth/userinfo", "revocation_endpoint": "/oauth/revoke",
                         "end_session_endpoint": "/oauth/logout", "jwks_uri": "/.well-known/jwks.json"]
        for (name, path) in endpoints {
            #expect(json[name] as? String == Self.issuer + path, "\(name)")
        }
        func set(_ name: String) -> Set<String> { Set(json[name] as? [String] ?? []) }
        #expect(set("scopes_supported") == ["openid", "profile", "email", "offline_access"])
        #expect(set("response_types_supported") == ["code"] && set("response_modes_supported") == ["query"])
        #expect(set("grant_types_supported") == ["authorization_code", "refresh_token"])
        #expect(set("subject_types_supported") == ["public"] && set("id_token_signing_alg_values_supported") == ["RS256"])
        #expect(set("token_endpoint_auth_methods_supported") == ["client_secret_basic", "client_secret_post", "none"])
        #expect(set("revocation_endpoint_auth_methods_supported") == ["client_secret_basic", "client_secret_post", "none"])
        #expect(set("code_challenge_methods_supported") == ["S256"] && set("acr_values_supported") == ["aal1", "aal2"])
        #expect(set("prompt_values_supported") == ["none", "login", "consent"])
        #expect(set("claims_supported").isSuperset(of: ["sub", "iss", "auth_time", "acr", "amr", "sid", "email", "email_verified",
                                                        "name", "given_name", "family_name", "nonce"]))
        #expect(json["authorization_response_iss_parameter_supported"] as? Bool == true)
        for name in ["claims_parameter_supported", "request_parameter_supported", "request_uri_parameter_supported"] {
            #expect(json[name] as? Bool == false, "\(name)")
        }
    }

    @Test("HS256 account tokens with the provider on: its RS256 key is published, account tokens stay HS256")
    func providerKeyUnderHS256() async throws {
        let server = try await TestServer(environment: ["AUTH_OIDC_ISSUER": Self.issuer])
        let keys = try await SigningKeyTests.jwks(server).keys
        #expect(keys.count == 1)
        #expect(keys.first?["alg"] as? String == "RS256" && keys.first?["kty"] as? String == "RSA" && keys.first?["d"] == nil)
        let modulus = try #require(Base64URL.decode(Substring(keys.first?["n"] as? String ?? "")))
        #expect(modulus.count * 8 >= 2048, "RS256 keys of 2048 bits or more")
        let tokens = try await server.verifiedUser("discovery@example.com")
        let access = try #require(tokens.json["access"] as? String)
        #expect(try SigningKeyTests.header(access)["alg"] as? String == "HS256")
    }

    @Test("ES256 account keys and the provider's RS256 keys in one JWKS; account tokens name the ES256 key")
    func bothAlgorithms() async throws {
        let server = try await TestServer(environment: ["AUTH_OIDC_ISSUER": Self.issuer, "AUTH_JWT_ALGORITHM": "ES256"])
        let keys = try await SigningKeyTests.jwks(server).keys
        #expect(keys.compactMap { $0["alg"] as? String }.sorted() == ["ES256", "RS256"])
        let tokens = try await server.verifiedUser("both@example.com")
        let header = try SigningKeyTests.header(try #require(tokens.json["access"] as? String))
        let es256 = keys.first { $0["alg"] as? String == "ES256" }
        #expect(header["alg"] as? String == "ES256" && header["kid"] as? String == es256?["kid"] as? String)
    }

    @Test("CORS: discovery and JWKS allow any origin without credentials, preflight 204; account endpoints send nothing")
    func publicCORS() async throws {
        let server = try await TestServer(environment: ["AUTH_OIDC_ISSUER": Self.issuer])
        let client = server.client()
        for path in ["/.well-known/openid-configuration", "/.well-known/jwks.json"] {
            let response = try await client.send(.get, path, headers: [("Origin", "https://rp.example.net")])
            #expect(response.status == 200)
            #expect(response.header("Access-Control-Allow-Origin") == "*", "\(path)")
            #expect(response.header("Access-Control-Allow-Credentials") == nil, "\(path)")
            let preflight = try await client.send(.options, path, headers: [
                ("Origin", "https://rp.example.net"), ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization"),
            ])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "*")
            #expect(preflight.header("Access-Control-Allow-Methods")?.contains("GET") == true)
            #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
        }
        let account = try await client.send(.post, "/api/accounts/login/", body: Data("{}".utf8), headers: [("Origin", "https://rp.example.net")])
        #expect(account.status == 400 && account.header("Access-Control-Allow-Origin") == nil)
        let withoutOrigin = try await client.send(.get, "/.well-known/jwks.json")
        #expect(withoutOrigin.header("Access-Control-Allow-Origin") == nil, "no Origin, no CORS headers")
    }

    @Test("A wrong AUTH_OIDC_ISSUER: serve exits non-zero naming the variable")
    func wrongIssuer() async throws {
        let server = try await TestServer()
        var environment = server.environment
        environment["AUTH_OIDC_ISSUER"] = "http://id.example.com"
        let result = try await TestServer.run(["serve"], environment: environment)
        #expect(result.status != 0)
        #expect(result.output.contains("AUTH_OIDC_ISSUER"), "\(result.output)")
    }
}
