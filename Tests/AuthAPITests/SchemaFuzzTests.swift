import Foundation
import Testing

@Suite("Schema fuzzing with schemathesis")
struct SchemaFuzzTests {
    static var specPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Shared/Resources/openapi.json").path
    }

    @Test("Every operation against the running API + worker: no 5xx, documented statuses, content types and schemas")
    func schemathesis() async throws {
        let server = try await TestServer(mode: .live)
        // Verified before the worker starts: its own code for this address would replace the planted one.
        let auth = try await server.verifiedUser("fuzz@example.com")
        let worker = try WorkerProcess(server: server)
        let access = try #require(auth["access"])
        let report = server.directory.appendingPathComponent("schemathesis.log")
        _ = FileManager.default.createFile(atPath: report.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-m", "schemathesis.cli", "run", Self.specPath, "--url", "http://127.0.0.1:\(server.port)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--seed", "42", "--max-examples", "40", "--workers", "1",
            "-H", "Authorization: Bearer \(access)",
        ]
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["SCHEMATHESIS_TELEMETRY"] = "false"
        process.environment = env
        let handle = try FileHandle(forWritingTo: report)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        await process.exited(timeout: .seconds(600))
        let output = (try? String(contentsOf: report, encoding: .utf8)) ?? ""
        let summary = output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("Scenarios") || $0.contains("Links") }
        print("schemathesis: " + summary.joined(separator: " | "))
        #expect(process.terminationStatus == 0, "schemathesis failed:\n\(output.suffix(6_000))")
        #expect(output.contains("passed"))
        _ = await worker.stop()
    }
}
