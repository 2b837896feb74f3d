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
    /// Routes with one `{id}` segment, as the path before it and the path after it.
    private var parameterRoutes: [ParameterRoute] = []

    struct ParameterRoute {
        let prefix: String
        let suffix: String
        var methods: [HTTPRequest.Method: Handler]

        var template: String { prefix + "/{id}" + suffix }

        /// The `{id}` segment when `path` is this route: one non-empty segment between the two parts.
        func parameter(in path: String) -> Substring? {
            guard path.count > prefix.count + 1 + suffix.count, path.hasPrefix(prefix + "/"), path.hasSuffix(suffix) else { return nil }
            let segment = path.dropFirst(prefix.count + 1).dropLast(suffix.count)
            return segment.isEmpty || segment.contains("/") ? nil : segment
        }
    }
    let logger: Logger
    let corsOrigins: Set<String>
    let clientAddresses: ClientAddressResolver
    /// What protected routes (`onAuthenticated(_:_:_:)`) authenticate their caller with.
    let authenticator: RequestAuthenticator
    /// Request count and latency by route template, method and status; nil: metrics are off.
    var metrics: RequestMetrics?

    init(logger: Logger, authenticator: RequestAuthenticator, corsOrigins: Set<String> = [],
         clientAddresses: ClientAddressResolver = .init()) {
        self.logger = logger
        self.authenticator = authenticator
        self.corsOrigins = corsOrigins
        self.clientAddresses = clientAddresses
    }

    /// Registers a handler; a path may hold one `/{id}` segment, which matches any one
    /// non-empty segment (handed to the handler as `routeParameter`).
    mutating func on(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
        let normalized = Self.normalize(path)
        if let range = normalized.range(of: "/{id}") {
            let prefix = String(normalized[..<range.lowerBound]), suffix = String(normalized[range.upperBound...])
            if let index = parameterRoutes.firstIndex(where: { $0.prefix == prefix && $0.suffix == suffix }) {
                parameterRoutes[index].methods[method] = handler
            } else {
                parameterRoutes.append(ParameterRoute(prefix: prefix, suffix: suffix, methods: [method: handler]))
            }
        } else {
            routes[normalized, default: [:]][method] = handler
        }
    }

    /// `(method, path)` of every route, paths as registered (without trailing slash; `{id}` kept).
    var routeTable: [(method: String, path: String)] {
        routes.flatMap { path, methods in methods.keys.map { ($0.rawValue, path) } }
            + parameterRoutes.flatMap { route in route.methods.keys.map { ($0.rawValue, route.template) } }
    }

    /// The route a path names: its methods, its template (what metrics label it by) and its `{id}`.
    private func match(_ path: String) -> (methods: [HTTPRequest.Method: Handler], template: String, parameter: String?)? {
        let normalized = Self.normalize(path)
        if let exact = routes[normalized] { return (exact, normalized, nil) }
        for route in parameterRoutes {
            if let segment = route.parameter(in: normalized) {
                return (route.methods, route.template, segment.removingPercentEncoding ?? String(segment))
            }
        }
        return nil
    }

    static func normalize(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        guard let metrics else { return try await answer(request, context: context, matched: match(request.uri.path)) }
        let started = ContinuousClock.now
        let matched = match(request.uri.path)
        let response = try await answer(request, context: context, matched: matched)
        metrics.record(route: matched?.template, method: request.method, status: response.status.code, since: started)
        return response
    }

    private func answer(_ request: Request, context: APIRequestContext,
                        matched: (methods: [HTTPRequest.Method: Handler], template: String, parameter: String?)?) async throws -> Response {
        var context = context
        if !clientAddresses.trusted.isEmpty {
            context.viaTrustedProxy = clientAddresses.isTrusted(context.peerIP)
            context.clientIP = clientAddresses.resolve(
                peer: context.peerIP, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!])
        }
        var response: Response
        let origin = request.headers[.origin].flatMap { corsOrigins.contains($0) ? $0 : nil }
        do {
            if let origin, request.method == .options, request.headers[.accessControlRequestMethod] != nil {
                response = try preflight(request, origin: origin, methods: matched?.methods)
            } else {
                response = try await dispatch(request, context: context, matched: matched)
            }
        } catch let error as APIError {
            response = error.response
        } catch let error as AuthError {
            response = APIError(error).response
        } catch is NIOTooManyBytesError {
            response = APIError.payloadTooLarge.response
        } catch StorageError.unavailable(let reason) {
            // Logged once per outage by the storage layer, not per request.
            response = APIError.unavailable(reason).response
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
    private func preflight(_ request: Request, origin: String, methods: [HTTPRequest.Method: Handler]?) throws -> Response {
        guard let methods else { throw APIError.notFound }
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

    private func dispatch(_ request: Request, context: APIRequestContext,
                          matched: (methods: [HTTPRequest.Method: Handler], template: String, parameter: String?)?) async throws -> Response {
        guard let (methods, _, parameter) = matched else { throw APIError.notFound }
        var context = context
        context.routeParameter = parameter
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
