import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

/// `POST /oauth/token` and `GET|POST /oauth/userinfo`: form bodies in, JSON out, never cached;
/// errors in OAuth's shape (`{"error", "error_description"}`), not the account API's.
struct ProviderTokenController {
    let endpoint: ProviderTokenEndpoint

    var routes: RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.post("token", use: token)
        routes.get("userinfo", use: userinfo)
        routes.post("userinfo", use: userinfo)
        return routes
    }

    @Sendable func token(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let pairs = try await request.formParameters() else {
            return Self.error(.invalidRequest("A form body (application/x-www-form-urlencoded) is required."))
        }
        var form: [String: String] = [:]
        for (name, value) in pairs {
            if form[name] != nil { return Self.error(.invalidRequest("The parameter \(name) was given more than once.")) }
            form[name] = value
        }
        do {
            let basic = try Self.basicCredentials(request)
            let client = try await endpoint.authenticate(basic: basic, form: form)
            switch form["grant_type"] {
            case nil, "":
                throw ProviderTokenError.invalidRequest("grant_type is required.")
            case "authorization_code":
                let issued = try await endpoint.exchangeCode(client: client, form: form, info: request.client(context))
                return Self.json(Self.body(issued))
            case "refresh_token":
                return Self.json(Self.body(try await endpoint.refresh(client: client, form: form, info: request.client(context))))
            default:
                throw ProviderTokenError.unsupportedGrantType
            }
        } catch let error as ProviderTokenError {
            return Self.error(error)
        }
    }

    @Sendable func userinfo(_ request: Request, context: APIRequestContext) async throws -> Response {
        var token = (try? request.bearerToken()) ?? nil
        if token == nil, request.method == .post, let pairs = try await request.formParameters() {
            token = pairs.first { $0.0 == "access_token" }?.1
        }
        guard let token, !token.isEmpty else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: #"Bearer realm="oauth""#, .cacheControl: "no-store"])
        }
        guard let claims = try await endpoint.userinfo(accessToken: token) else {
            var response = Self.json(.object(["error": .string("invalid_token"),
                                              "error_description": .string("The access token is invalid, expired or revoked.")]),
                                     status: .unauthorized)
            response.headers[.wwwAuthenticate] = #"Bearer realm="oauth", error="invalid_token""#
            return response
        }
        return Self.json(.object(claims))
    }

    static func body(_ issued: ProviderTokenEndpoint.Issued) -> JSONValue {
        var fields: [String: JSONValue] = [
            "access_token": .string(issued.accessToken), "token_type": .string("Bearer"), "expires_in": .number(Double(issued.expiresIn)),
            "scope": .string(issued.scope), "id_token": .string(issued.idToken),
        ]
        if let refresh = issued.refreshToken { fields["refresh_token"] = .string(refresh) }
        return .object(fields)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: Response.jsonContentType, .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(bytes: value.sortedJSONBytes())))
    }

    /// 400, or 401 with `WWW-Authenticate: Basic` for `invalid_client` (RFC 6749 §5.2).
    static func error(_ error: ProviderTokenError) -> Response {
        var response = json(.object(["error": .string(error.code), "error_description": .string(error.description)]),
                            status: error == .invalidClient ? .unauthorized : .badRequest)
        if error == .invalidClient { response.headers[.wwwAuthenticate] = #"Basic realm="oauth""# }
        return response
    }

    /// `Authorization: Basic` with the form-encoded client id and secret (RFC 6749 §2.3.1);
    /// nil without the header; malformed: `invalid_client`.
    static func basicCredentials(_ request: Request) throws -> (id: String, secret: String)? {
        guard let header = request.headers[.authorization] else { return nil }
        guard header.count > 6, header.prefix(6).lowercased() == "basic ",
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":"),
              let id = FormEncoding.decode(Array(("a=" + text[..<colon]).utf8))?.first?.1,
              let secret = FormEncoding.decode(Array(("a=" + text[text.index(after: colon)...]).utf8))?.first?.1
        else { throw ProviderTokenError.invalidClient }
        return (id, secret)
    }
}
