import Foundation
import Testing
@testable import Shared

@Suite("OpenID Provider settings")
struct ProviderConfigurationTests {
    @Test("Off unless AUTH_OIDC_ISSUER is set; the contract's defaults")
    func defaults() throws {
        #expect(try APIConfiguration.fromEnvironment([:]).provider == nil)
        let provider = try #require(try APIConfiguration.fromEnvironment(["AUTH_OIDC_ISSUER": "https://id.example.com/"]).provider)
        #expect(provider == ProviderConfiguration(issuer: "https://id.example.com", codeTTL: 60, idTokenTTL: 300, sessionTTL: 86_400))
        #expect(provider.audience == nil && provider.issuerPath == "" && provider.isSecure)
        #expect(provider.url("/oauth/token") == "https://id.example.com/oauth/token")
    }

    @Test("Issuers the contract allows: https anywhere, http on loopback only, a path as a prefix, the trailing / dropped")
    func issuers() {
        let allowed = [
            "https://id.example.com": "https://id.example.com",
            "https://id.example.com/": "https://id.example.com",
            "https://example.com/auth/": "https://example.com/auth",
            "https://id.example.com:8443/realm": "https://id.example.com:8443/realm",
            "http://localhost:8000": "http://localhost:8000",
            "http://127.0.0.1:9000/": "http://127.0.0.1:9000",
            "http://127.3.4.5": "http://127.3.4.5",
            "http://[::1]:8000": "http://[::1]:8000",
        ]
        for (text, issuer) in allowed {
            #expect(ProviderConfiguration.issuer(text) == issuer, "\(text)")
        }
        for text in ["http://id.example.com", "http://10.0.0.1", "http://128.0.0.1", "ftp://id.example.com", "id.example.com",
                     "/oauth", "https://", "https://id.example.com/?realm=x", "https://id.example.com/#top",
                     "https://user:pw@id.example.com", "http://localhost.example.com"] {
            #expect(ProviderConfiguration.issuer(text) == nil, "\(text)")
        }
        #expect(ProviderConfiguration(issuer: "https://example.com/auth").issuerPath == "/auth")
        #expect(!ProviderConfiguration(issuer: "http://localhost:8000").isSecure)
    }

    @Test("Settings read, and a wrong issuer reported by name with the other problems")
    func settings() throws {
        let provider = try #require(try APIConfiguration.fromEnvironment([
            "AUTH_OIDC_ISSUER": "http://127.0.0.1:8000", "AUTH_OIDC_CODE_TTL": "30", "AUTH_OIDC_ID_TOKEN_TTL": "600",
            "AUTH_OIDC_SESSION_TTL": "3600", "AUTH_OIDC_AUDIENCE": "https://api.example.com",
        ]).provider)
        #expect(provider.codeTTL == 30 && provider.idTokenTTL == 600 && provider.sessionTTL == 3600)
        #expect(provider.audience == "https://api.example.com")
        do {
            _ = try APIConfiguration.fromEnvironment(["AUTH_OIDC_ISSUER": "http://id.example.com", "AUTH_OIDC_CODE_TTL": "0"])
            Issue.record("expected a configuration error")
        } catch let error as ConfigurationError {
            #expect(error.problems.count == 2)
            #expect(error.problems.contains { $0.hasPrefix("AUTH_OIDC_ISSUER=http://id.example.com:") })
        }
    }
}
