import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import Synchronization
import Testing
@testable import AuthAPI

/// Every error becomes the contract's JSON in one place, and an unexpected one is logged once,
/// in full, and never shown to the client.
@Suite("ErrorMiddleware")
struct ErrorMiddlewareTests {
    struct Boom: Error, CustomStringConvertible {
        let secretDetail: String
        var description: String { "Boom(\(secretDetail))" }
    }

    /// Log lines kept in memory.
    final class Captured: Sendable {
        let lines = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
    }

    struct CapturingHandler: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
                 function: String, line: UInt) {
            let merged = self.metadata.merging(metadata ?? [:]) { $1 }
            captured.lines.withLock { $0.append(("\(message)", merged)) }
        }
    }

    static func app(_ captured: Captured) -> some ApplicationProtocol {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.get("boom") { _, _ -> Response in throw Boom(secretDetail: "connection string with a password") }
        router.get("refused") { _, _ -> Response in throw AuthError.permissionDenied }
        router.get("unavailable") { _, _ -> Response in throw StorageError.unavailable(.databaseUnreachable) }
        return Application(router: router, logger: Logger(label: "test") { _ in CapturingHandler(captured: captured) })
    }

    @Test("An unexpected error: a bare 500 in the contract's shape, logged once with its full description, its type and the path")
    func unexpected() async throws {
        let captured = Captured()
        try await Self.app(captured).test(.router) { client in
            let response = try await client.execute(uri: "/boom", method: .get)
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let body = String(buffer: response.body)
            #expect(body == #"{"code":"error","detail":"A server error occurred."}"#)
            #expect(!body.contains("Boom") && !body.contains("password"))
        }
        let unexpected = captured.lines.withLock { $0.filter { $0.message == "unexpected error" } }
        #expect(unexpected.count == 1)
        #expect(unexpected.first?.metadata["error"]?.description.contains("connection string with a password") == true)
        #expect(unexpected.first?.metadata["error.type"]?.description.hasSuffix("Boom") == true)
        #expect(unexpected.first?.metadata["http.path"]?.description == "/boom")
    }

    @Test("The domain's refusals, the storage's 503 and the framework's 404 are the contract's JSON, and logged by nobody here")
    func expected() async throws {
        let captured = Captured()
        try await Self.app(captured).test(.router) { client in
            let refused = try await client.execute(uri: "/refused", method: .get)
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body) == #"{"code":"permission_denied","detail":"You do not have permission to perform this action."}"#)
            let unavailable = try await client.execute(uri: "/unavailable", method: .get)
            #expect(unavailable.status == .serviceUnavailable && unavailable.headers[.retryAfter] == "2")
            let missing = try await client.execute(uri: "/nowhere", method: .get)
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body) == #"{"code":"not_found","detail":"Not found."}"#)
        }
        #expect(captured.lines.withLock { $0.filter { $0.message == "unexpected error" }.count } == 0)
    }
}
