import Foundation
import Testing

/// A real browser (headless Chromium through selenium) as the front end: the layouts of the
/// contract's cookie transport, driven by `Tests/clients/browser_flow.py`.
@Suite("Browser front ends in a real Chromium", .serialized)
struct BrowserTests {
    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("clients/browser_flow.py").path
    }

    /// Runs the flow against a server started with `environment`; returns the script's output.
    func runFlow(api: (TestServer) -> String, page: String, evil: String, email: String, sharedCookie: Bool,
                 environment: [String: String]) async throws -> (server: TestServer, output: String) {
        let server = try await TestServer(environment: environment, mode: .live)
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url, "AUTH_SMTP_STARTTLS": "off"])
        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", Self.scriptPath, "--api", api(server), "--page", page, "--evil", evil,
             "--mail-dir", sink.directory.path, "--email", email] + (sharedCookie ? ["--shared-cookie"] : []),
            environment: ProcessInfo.processInfo.environment, directory: server.directory, timeout: .seconds(180))
        _ = await worker.stop()
        await sink.stop()
        print("browser flow (\(email)):\n" + result.output)
        #expect(result.status == 0, "browser flow failed:\n\(result.output.suffix(4_000))")
        #expect(result.output.contains("browser flow: ok"))
        return (server, result.output)
    }

    /// What the flow leaves in the database: one session (signup's, continued), ended by logout.
    func expectOneEndedSession(_ server: TestServer, email: String) async throws {
        let sessions = try await server.sql("""
            SELECT count(*) FROM login_sessions JOIN users ON users.id = login_sessions.user_id WHERE users.email = '\(email)'
            """)
        #expect(sessions == ["1"])
        let active = try await server.sql("""
            SELECT count(*) FROM login_sessions JOIN users ON users.id = login_sessions.user_id
            WHERE users.email = '\(email)' AND login_sessions.revoked_at IS NULL
            """)
        #expect(active == ["0"])
    }

    @Test("Same site, another port: page on 127.0.0.1:P calls the API on 127.0.0.1:A with cookies")
    func sameSiteOtherPort() async throws {
        let reservation = try PortReservation()
        defer { reservation.release() }
        let pagePort = reservation.port
        let page = "http://127.0.0.1:\(pagePort)"
        let (server, _) = try await runFlow(
            api: { "http://127.0.0.1:\($0.port)" }, page: page, evil: "http://evil.example.test:\(pagePort)",
            email: "port@example.com", sharedCookie: false,
            environment: ["AUTH_COOKIE_ONLY": "on", "AUTH_COOKIE_SECURE": "off", "AUTH_CORS_ORIGINS": page])
        try await expectOneEndedSession(server, email: "port@example.com")
    }

    @Test("Sibling sub-domains: page on app.example.test, API on api.example.test, shared CSRF cookie domain")
    func siblingSubdomains() async throws {
        let reservation = try PortReservation()
        defer { reservation.release() }
        let pagePort = reservation.port
        let page = "http://app.example.test:\(pagePort)"
        let (server, _) = try await runFlow(
            api: { "http://api.example.test:\($0.port)" }, page: page, evil: "http://evil.example.test:\(pagePort)",
            email: "sibling@example.com", sharedCookie: true,
            environment: ["AUTH_COOKIE_ONLY": "on", "AUTH_COOKIE_SECURE": "off", "AUTH_CORS_ORIGINS": page,
                          "AUTH_CSRF_COOKIE_DOMAIN": "example.test"])
        try await expectOneEndedSession(server, email: "sibling@example.com")
    }
}
