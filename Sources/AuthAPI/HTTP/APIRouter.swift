import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Shared

/// The HTTP entry point: a route table keyed by path without its trailing slash, so `/x/` and
/// `/x` answer alike with no redirect; unknown paths are 404 JSON, other methods 405 with
/// `Allow` (never 501), and every error — ours or the framework's — becomes the contract's JSON.
struct APIRouter: HTTPResponder {
    typealias Context = APIRequestContext
    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    static let maxBodySize = 64 * 1024

    private var routes: [String: [HTTPRequest.Method: Handler]] = [:]
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    mutating func on(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
        routes[Self.normalize(path), default: [:]][method] = handler
    }

    static func normalize(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        var response: Response
        do {
            response = try await dispatch(request, context: context)
        } catch let error as APIError {
            response = error.response
        } catch is NIOTooManyBytesError {
            response = APIError.payloadTooLarge.response
        } catch {
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))", "path": "\(request.uri.path)"])
            response = APIError.serverError.response
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }

    private func dispatch(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let methods = routes[Self.normalize(request.uri.path)] else { throw APIError.notFound }
        if let handler = methods[request.method] {
            return try await handler(request, context)
        }
        var allowed = methods.keys.map(\.rawValue)
        if methods[.get] != nil { allowed.append("HEAD") }
        allowed.append("OPTIONS")
        allowed.sort()
        if request.method == .head, let get = methods[.get] {
            let full = try await get(request, context)
            return Response(status: full.status, headers: full.headers)
        }
        if request.method == .options {
            return Response(status: .noContent, headers: [.allow: allowed.joined(separator: ", ")])
        }
        throw APIError.methodNotAllowed(request.method.rawValue, allow: allowed)
    }
}

extension APIError {
    /// The error as an HTTP response with its JSON body and headers.
    var response: Response {
        var headers: HTTPFields = [.contentType: JSONResponse.contentType]
        for field in self.headers { headers.append(field) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBody)))
    }
}
