import Foundation
import Logging
import Shared
import Testing
@testable import AuthAPI

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `(METHOD, path-with-trailing-slash)` of the router, as the document writes paths.
    func routerOperations() async throws -> Set<String> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
        let database = try AppDatabase.open(path: dir.appendingPathComponent("auth.sqlite").path)
        try await database.migrate()
        let clock = SystemClock()
        let random = SecureRandom()
        let tokens = await TokenService(secretKey: TestServer.secretKey, accessTTL: 300, refreshTTL: 600, clock: clock, random: random)
        let accounts = try await AccountUseCases(
            store: database, hasher: Argon2idHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1), random: random),
            tokens: tokens, limiter: RateLimiter(enabled: false, rates: .defaults, store: database, clock: clock),
            codes: CodeHasher(secretKey: TestServer.secretKey), mfaSecrets: MFASecrets(secretKey: TestServer.secretKey), clock: clock,
            random: random, logger: Logger(label: "test"))
        let router = try buildRouter(
            accounts: accounts, database: database,
            cookies: TokenCookies(settings: CookieSettings(configuration: .init()), random: random),
            // With the provider on, so that its routes are in the table too.
            provider: try ProviderEdge(
                configuration: ProviderConfiguration(issuer: "https://id.example.com"), accounts: accounts, database: database,
                ring: KeyRing(algorithm: .rs256, store: database, sealer: KeySealer(secretKey: TestServer.secretKey), clock: clock),
                secretKey: TestServer.secretKey, accessTTL: 300, refreshTTL: 600,
                clock: clock, random: random, logger: Logger(label: "test")),
            clients: ClientManagement(
                store: database, secrets: ClientSecrets(secretKey: TestServer.secretKey, random: random),
                audit: AuditLog(store: database, clock: clock, logger: Logger(label: "test")), clock: clock),
            clock: clock)
        // The provider's protocol endpoints and pages (`/oauth/*`: forms and HTML, described by
        // discovery) are not JSON API operations; the contract's schema covers the rest.
        return Set(router.routes.filter { !$0.path.description.hasPrefix("/oauth/") }.map { route in
            // The probes (`/healthz`, `/readyz`) and the well-known documents are documented as served, without a slash.
            let path = route.path.description
            return "\(route.method) " + (["/healthz", "/readyz"].contains(path) || path.hasPrefix("/.well-known/") ? path : path + "/")
        })
    }

    func documentOperations() throws -> Set<String> {
        let json = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
        #expect((json["openapi"] as? String)?.hasPrefix("3.1") == true)
        let paths = try #require(json["paths"] as? [String: [String: Any]])
        let methods = ["get", "put", "post", "delete", "patch"]
        return Set(paths.flatMap { path, item in
            item.keys.filter { methods.contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
    }

    @Test("Every route is in the document, and every documented operation is a route")
    func routesMatchDocument() async throws {
        let routes = try await routerOperations()
        let documented = try documentOperations()
        #expect(routes.subtracting(documented).isEmpty, "routes missing from openapi.json: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not routed: \(documented.subtracting(routes).sorted())")
        #expect(routes.count >= 19)
    }

    @Test("GET /api/schema/ serves the document as JSON")
    func served() async throws {
        let server = try await TestServer()
        let response = try await server.client().get("/api/schema/")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        #expect(response.body == OpenAPIDocument.data)
    }
}
