import Foundation
import Testing

/// A client generated from the served OpenAPI document by openapi-python-client, driven through
/// the core flow by `Tests/clients/generated_client_flow.py`: proves the document describes what
/// the API answers well enough for a generator nobody here wrote.
@Suite("A generated Python client")
struct GeneratedClientTests {
    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("clients/generated_client_flow.py").path
    }

    @Test("openapi-python-client: signup, verify, login, me, refresh, logout; field errors and otp_invalid parse as their models")
    func generatedClientFlow() async throws {
        let server = try await TestServer(mode: .live)
        let sink = try await SMTPSink()
        let worker = try WorkerProcess(server: server, environment: ["AUTH_SMTP_URL": sink.url, "AUTH_SMTP_STARTTLS": "off"])
        let work = server.directory.appendingPathComponent("generated")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", Self.scriptPath, "--api", "http://127.0.0.1:\(server.port)", "--mail-dir", sink.directory.path,
             "--work", work.path],
            environment: ProcessInfo.processInfo.environment, directory: work, timeout: .seconds(180))
        print("generated client:\n" + result.output)
        #expect(result.status == 0, "generated client flow failed:\n\(result.output.suffix(4_000))")
        #expect(result.output.contains("generated client flow: ok"))
        _ = await worker.stop()
        await sink.stop()
    }
}
