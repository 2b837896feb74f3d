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
    /// Routes ending in one `{id}` segment, keyed by the path before it.
    private var parameterRoutes: [String: [HTTPRequest.Method: Handler]] = [:]
    let logger: Logger
    let corsOrigins: Set<String>
    let clientAddresses: ClientAddressResolver
    /// What protected routes (`onAuthenticated(_:_:_:)`) authenticate their caller with.
    let authenticator: RequestAuthenticator

    init(logger: Logger, authenticator: RequestAuthenticator, corsOrigins: Set<String> = [],
         clientAddresses: ClientAddressResolver = .init()) {
        self.logger = logger
        self.authenticator = authenticator
        self.corsOrigins = corsOrigins
        self.clientAddresses = clientAddresses
    }

    /// Registers a handler; a path may end in `/{id}`, which matches any one non-empty segment.
    mutating func on(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
        let normalized = Self.normalize(path)
        if normalized.hasSuffix("/{id}") {
            parameterRoutes[String(normalized.dropLast("/{id}".count)), default: [:]][method] = handler
        } else {
            routes[normalized, default: [:]][method] = handler
        }
    }

    /// `(method, path)` of every route, paths as registered (without trailing slash; `{id}` kept).
    var routeTable: [(method: String, path: String)] {
        routes.flatMap { path, methods in methods.keys.map { ($0.rawValue, path) } }
            + parameterRoutes.flatMap { path, methods in methods.keys.map { ($0.rawValue, path + "/{id}") } }
    }

    private func methods(for path: String) -> [HTTPRequest.Method: Handler]? {
        let normalized = Self.normalize(path)
        if let exact = routes[normalized] { return exact }
        guard let slash = normalized.lastIndex(of: "/"), slash != normalized.startIndex else { return nil }
        return parameterRoutes[String(normalized[..<slash])]
    }

    static func normalize(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        var context = context
        if !clientAddresses.trusted.isEmpty {
            context.clientIP = clientAddresses.resolve(
                peer: context.peerIP, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!])
        }
        var response: Response
        let origin = request.headers[.origin].flatMap { corsOrigins.contains($0) ? $0 : nil }
        do {
            if let origin, request.method == .options, request.headers[.accessControlRequestMethod] != nil {
                response = try preflight(request, origin: origin)
            } else {
                response = try await dispatch(request, context: context)
            }
        } catch let error as APIError {
            response = error.response
        } catch let error as AuthError {
            response = APIError(error).response
        } catch is NIOTooManyBytesError {
            response = APIError.payloadTooLarge.response
        } catch {
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))", "path": "\(request.uri.path)"])
            response = APIError.serverError.response
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            // A script on a listed origin may read the CSRF token a response hands out.
            if request.method != .options { response.headers[.accessControlExposeHeaders] = "X-CSRFToken" }
        }
        // Answers differ by Origin whenever CORS is on: caches must key on it.
        if !corsOrigins.isEmpty { response.headers.append(HTTPField(name: .vary, value: "Origin")) }
        return response
    }

    /// A CORS preflight from a listed origin: the methods of the route and the headers clients send.
    private func preflight(_ request: Request, origin: String) throws -> Response {
        guard let methods = methods(for: request.uri.path) else { throw APIError.notFound }
        return Response(status: .noContent, headers: [
            .allow: Self.allowed(methods).joined(separator: ", "),
            .accessControlAllowMethods: Self.allowed(methods).joined(separator: ", "),
            .accessControlAllowHeaders: "Authorization, Content-Type, X-CSRFToken",
            .accessControlMaxAge: "600",
        ])
    }

    private static func allowed(_ methods: [HTTPRequest.Method: Handler]) -> [String] {
        var allowed = methods.keys.map(\.rawValue)
        if methods[.get] != nil { allowed.append("HEAD") }
        allowed.append("OPTIONS")
        return allowed.sorted()
    }

    private func dispatch(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let methods = methods(for: request.uri.path) else { throw APIError.notFound }
        if let handler = methods[request.method] {
            return try await handler(request, context)
        }
        let allowed = Self.allowed(methods)
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
