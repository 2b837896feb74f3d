import Hummingbird
import Logging
import NIOCore
import Shared

/// The one place where an error becomes the contract's JSON: the domain's refusals
/// (`AuthError`), the storage's "not now" (`StorageError.unavailable`, 503 with `Retry-After`),
/// a body over 64 KiB, the framework's own `HTTPError`s (DRF-shaped, never Hummingbird's
/// `{"error": …}`), and our `APIError`. Anything else is unexpected: logged here in full, once,
/// with the request's id, and answered with a bare 500 that names nothing internal.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.apiError(for: error, request: request, logger: context.logger).response
        }
    }

    static func apiError(for error: any Error, request: Request, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as AuthError:
            return APIError(error)
        case StorageError.unavailable(let reason):
            // Logged once per outage by the storage layer, not per request.
            return .unavailable(reason)
        case is NIOTooManyBytesError:
            return .payloadTooLarge
        case let error as HTTPError:
            return APIError(framework: error)
        default:
            logger.error("unexpected error", metadata: [
                "error": "\(String(reflecting: error))",
                "error.type": "\(String(reflecting: type(of: error)))",
                "http.method": "\(request.method.rawValue)",
                "http.path": "\(request.uri.path)",
            ])
            return .serverError
        }
    }
}

extension APIError {
    /// A refusal the framework made itself (no route, a body it would not read), in DRF's shape:
    /// the status's own detail and code, as DRF's exceptions of those statuses write them.
    init(framework error: HTTPError) {
        switch error.status {
        case .notFound: self = .notFound
        case .contentTooLarge: self = .payloadTooLarge
        default:
            let code: String
            switch error.status.kind {
            case .serverError: code = "error"
            default: code = error.status.reasonPhrase.lowercased().split(separator: " ").joined(separator: "_")
            }
            self = .detail(error.status, error.body ?? error.status.reasonPhrase + ".", code: code)
        }
        headers += error.headers.filter { $0.name != .contentType && $0.name != .contentLength }
    }
}
