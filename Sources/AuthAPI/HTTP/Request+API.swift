import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

extension Request {
    /// The body as a JSON object: at most 64 KiB (else 413), JSON content type when non-empty
    /// (else 415), well-formed UTF-8 JSON (else 400 `parse_error`), an object (else 400).
    func jsonObject() async throws -> [String: JSONValue] {
        let buffer = try await body.collect(upTo: APIRouter.maxBodySize)
        guard buffer.readableBytes > 0 else { return [:] }
        let contentType = headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard mediaType == "application/json" else { throw APIError.unsupportedMediaType(contentType) }
        return try JSONValue.parseObject(Data(buffer.readableBytesView))
    }

    /// The bearer token of the one `Authorization` header, as simplejwt's `JWTAuthentication` reads it.
    func bearerToken() throws -> String {
        let values = headers[values: .authorization]
        guard values.count <= 1 else { throw APIError.twoAuthorizationHeaders }
        guard let value = values.first else { throw APIError.notAuthenticated }
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard let scheme = parts.first, scheme.lowercased() == "bearer" else { throw APIError.notAuthenticated }
        guard parts.count == 2 else {
            throw APIError(
                .unauthorized,
                .detail("Authorization header must contain two space-delimited values", code: "bad_authorization_header"),
                headers: [HTTPField(name: .wwwAuthenticate, value: #"Bearer realm="api""#)])
        }
        return String(parts[1])
    }

    func client(_ context: APIRequestContext) -> ClientInfo {
        ClientInfo(ip: context.clientIP, userAgent: headers[.userAgent] ?? "")
    }
}
