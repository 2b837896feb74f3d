import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

/// The one error type that reaches clients: it renders as the contract's JSON bodies,
/// `{"field": ["message"]}` or `{"detail": "...", "code": "..."}`, with its headers — as an
/// `HTTPResponseError`, so the framework answers with it wherever it is thrown. The domain's
/// `AuthError` and every other error become one in `ErrorMiddleware`; the edge's own refusals
/// (parsing, media type, size, methods, CSRF) are made here. Internal causes are logged once,
/// by `ErrorMiddleware`, and never carried here.
struct APIError: HTTPResponseError, Sendable, Equatable {
    enum Body: Sendable, Equatable {
        case detail(String, code: String)
        case fields([String: [String]])
    }

    var status: HTTPResponse.Status
    var body: Body
    var headers: [HTTPField]

    init(_ status: HTTPResponse.Status, _ body: Body, headers: [HTTPField] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    static func detail(_ status: HTTPResponse.Status, _ message: String, code: String) -> APIError {
        APIError(status, .detail(message, code: code))
    }

    static func fields(_ errors: [String: [String]]) -> APIError {
        APIError(.badRequest, .fields(errors))
    }

    static func field(_ name: String, _ message: String) -> APIError {
        .fields([name: [message]])
    }

    static let wwwAuthenticate = HTTPField(name: .wwwAuthenticate, value: #"Bearer realm="api""#)

    static let notAuthenticated = APIError(
        .unauthorized, .detail("Authentication credentials were not provided.", code: "not_authenticated"),
        headers: [wwwAuthenticate])
    static let tokenNotValid = APIError(
        .unauthorized, .detail("Given token not valid for any token type", code: "token_not_valid"),
        headers: [wwwAuthenticate])
    static let userInactive = APIError(
        .unauthorized, .detail("User is inactive", code: "user_inactive"), headers: [wwwAuthenticate])
    static let invalidCredentials = APIError(
        .unauthorized, .detail("No active account found with the given credentials", code: "invalid_credentials"),
        headers: [wwwAuthenticate])
    static let emailNotVerified = APIError.detail(
        .forbidden, "E-mail address is not verified.", code: "email_not_verified")
    static let otpInvalid = APIError.detail(.badRequest, "Invalid or already used code.", code: "otp_invalid")
    static let otpExpired = APIError.detail(.badRequest, "The code has expired.", code: "otp_expired")
    static let otpLocked = APIError.detail(
        .badRequest, "Too many wrong attempts: this code is burnt. Request a new one.", code: "otp_locked")
    static let notFound = APIError.detail(.notFound, "Not found.", code: "not_found")
    static let parseError = APIError.detail(.badRequest, "JSON parse error.", code: "parse_error")
    static let payloadTooLarge = APIError.detail(
        .contentTooLarge, "Request body exceeds 65536 bytes.", code: "request_too_large")
    static let twoAuthorizationHeaders = APIError(
        .unauthorized, .detail("Only one Authorization header is allowed.", code: "authentication_failed"),
        headers: [wwwAuthenticate])
    static let badAuthorizationHeader = APIError(
        .unauthorized, .detail("Authorization header must contain two space-delimited values", code: "bad_authorization_header"),
        headers: [wwwAuthenticate])
    static let serverError = APIError.detail(.internalServerError, "A server error occurred.", code: "error")

    static func unsupportedMediaType(_ contentType: String) -> APIError {
        let shown = String(contentType.prefix(100)).filter { $0.isASCII && !$0.isNewline && $0 != "\"" }
        return .detail(.unsupportedMediaType, "Unsupported media type \"\(shown)\" in request.", code: "unsupported_media_type")
    }

    static func methodNotAllowed(_ method: String, allow: [String]) -> APIError {
        let shown = String(method.prefix(32))
        return APIError(
            .methodNotAllowed, .detail("Method \"\(shown)\" not allowed.", code: "method_not_allowed"),
            headers: [HTTPField(name: .allow, value: allow.joined(separator: ", "))])
    }

    /// The database cannot serve the request now (`StorageError.unavailable`): the request did
    /// nothing and may be retried after `Retry-After` seconds. DRF would answer 500; a full disk
    /// or a database restart is an expected condition, so a clear 503 (as DRF's own
    /// `APIException` subclasses would carry it) tells clients and balancers to come back.
    static func unavailable(_ reason: StorageError.Unavailability) -> APIError {
        switch reason {
        case .databaseUnreachable:
            return APIError(
                .serviceUnavailable,
                .detail("The service is temporarily unavailable: the database did not answer. Try again shortly.",
                        code: "service_unavailable"),
                headers: [HTTPField(name: .retryAfter, value: "2")])
        case .diskFull:
            return APIError(
                .serviceUnavailable,
                .detail("The service cannot store changes right now: its disk is full. Try again later.", code: "service_unavailable"),
                headers: [HTTPField(name: .retryAfter, value: "30")])
        }
    }

    /// DRF's throttle response; `Retry-After` equals the N of the message.
    static func throttled(wait seconds: Int) -> APIError {
        APIError(
            .tooManyRequests,
            .detail("Request was throttled. Expected available in \(seconds) second\(seconds == 1 ? "" : "s").", code: "throttled"),
            headers: [HTTPField(name: .retryAfter, value: String(seconds))])
    }
}

extension APIError {
    /// The error as an HTTP response with its JSON body and headers.
    func response(from request: Request, context: some RequestContext) -> Response {
        response
    }

    var response: Response {
        var headers: HTTPFields = [.contentType: Response.jsonContentType]
        for field in self.headers { headers.append(field) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBody)))
    }

    /// The JSON body bytes, keys sorted so equal errors are byte-identical.
    var jsonBody: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch body {
        case .detail(let message, let code):
            return (try? encoder.encode(["detail": message, "code": code])) ?? Data()
        case .fields(let fields):
            return (try? encoder.encode(fields)) ?? Data()
        }
    }
}
