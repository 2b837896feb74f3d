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
        return try Self.parseObject(buffer.readableBytesView)
    }

    /// Parses a request body: it must be a JSON object (DRF's serializers refuse anything else).
    static func parseObject(_ data: some Collection<UInt8>) throws(APIError) -> [String: JSONValue] {
        if data.isEmpty { return [:] }
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw APIError.parseError
        }
        guard case .object(let object) = value else {
            let kind: String
            switch value {
            case .array: kind = "list"
            case .null: kind = "NoneType"
            case .bool: kind = "bool"
            case .number: kind = "number"
            case .string: kind = "str"
            case .object: kind = "dict"
            }
            throw APIError.fields(["non_field_errors": ["Invalid data. Expected a dictionary, but got \(kind)."]])
        }
        return object
    }

    /// The body read into a typed request: body-level problems (size, media type, malformed
    /// JSON) throw at once; field problems come back as the failure, for the use case to report
    /// when its rules say (after its per-IP throttle, as DRF throttles before the serializer runs).
    func parsed<T>(_ read: ([String: JSONValue]) throws(AuthError) -> T) async throws -> Result<T, AuthError> {
        let object = try await jsonObject()
        return Result { () throws(AuthError) -> T in try read(object) }
    }

    /// The bearer token of the one `Authorization` header, as simplejwt's `JWTAuthentication` reads it.
    func bearerToken() throws -> String {
        let values = headers[values: .authorization]
        guard values.count <= 1 else { throw APIError.twoAuthorizationHeaders }
        guard let value = values.first else { throw APIError.notAuthenticated }
        // Split on the bytes of U+0020: splitting the String by Characters walked the whole
        // token's grapheme boundaries, 8 % of GET me (profile).
        let parts = value.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard let scheme = parts.first,
              scheme.elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 && (0x41...0x7A).contains($0) })
        else { throw APIError.notAuthenticated }
        guard parts.count == 2 else {
            throw APIError(
                .unauthorized,
                .detail("Authorization header must contain two space-delimited values", code: "bad_authorization_header"),
                headers: [HTTPField(name: .wwwAuthenticate, value: #"Bearer realm="api""#)])
        }
        return String(Substring(parts[1]))
    }

    /// The query string as Django's `QueryDict` reads it: `+` is a space, `%XX` decoded, the
    /// last of a repeated name wins.
    func queryItems() -> [String: String] {
        guard let query = uri.query, !query.isEmpty else { return [:] }
        var items: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            items[decoded(parts[0])] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return items
    }

    func client(_ context: APIRequestContext) -> ClientInfo {
        ClientInfo(ip: context.clientIP, userAgent: headers[.userAgent] ?? "")
    }
}

extension Request {
    /// `scheme://host[:port]` of this API as its client sees it, for the absolute links DRF
    /// writes (`build_absolute_uri`): `X-Forwarded-Proto` and `X-Forwarded-Host` count only from
    /// a trusted proxy (as Django's `SECURE_PROXY_SSL_HEADER`/`USE_X_FORWARDED_HOST` would be set
    /// for one); our own listener is plain HTTP. Nil when the host is not a well-formed
    /// authority, so that a forged `Host` cannot put another site, a path or a script in a link.
    func publicOrigin(_ context: APIRequestContext) -> String? {
        func first(_ name: String) -> String? {
            headers[values: HTTPField.Name(name)!].first?.split(separator: ",").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
        }
        var scheme = "http"
        var host = head.authority?.lowercased()
        if context.viaTrustedProxy {
            if let proto = first("X-Forwarded-Proto"), proto == "https" || proto == "http" { scheme = proto }
            if let forwarded = first("X-Forwarded-Host"), !forwarded.isEmpty { host = forwarded }
        }
        guard let host, Self.isAuthority(host) else { return nil }
        return "\(scheme)://\(host)"
    }

    /// A host name, IPv4 address or bracketed IPv6 address, with an optional port: nothing else.
    static func isAuthority(_ text: String) -> Bool {
        var name = Substring(text)
        if let colon = name.lastIndex(of: ":"), !name.hasSuffix("]") {
            let port = name[name.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit) else { return false }
            name = name[..<colon]
        }
        if name.hasPrefix("["), name.hasSuffix("]") {
            let inner = name.dropFirst().dropLast()
            return !inner.isEmpty && inner.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return !name.isEmpty && name.count <= 253
            && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
