import HTTPTypes
import Hummingbird

extension Request {
    /// The bearer token of the one `Authorization` header, as simplejwt's `JWTAuthentication`
    /// reads it: nil without the header or with another scheme (the caller is then not
    /// authenticated by it); two headers, or a header that is not two values, are refused.
    func bearerToken() throws -> String? {
        let values = headers[values: .authorization]
        guard values.count <= 1 else { throw APIError.twoAuthorizationHeaders }
        guard let value = values.first else { return nil }
        // Split on the bytes of U+0020: splitting the String by Characters walked the whole
        // token's grapheme boundaries, 8 % of GET me (profile).
        let parts = value.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard let scheme = parts.first,
              scheme.elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 && (0x41...0x7A).contains($0) })
        else { return nil }
        guard parts.count == 2 else { throw APIError.badAuthorizationHeader }
        return String(Substring(parts[1]))
    }

    /// Tokens the request offers to name the login session it comes from: its bearer token, if
    /// well-formed, and (cookie mode) its cookies when the CSRF checks pass, as for any use of a
    /// cookie. Two `Authorization` headers are refused here as everywhere.
    func sessionTokens(_ cookies: CookieCredentials) throws -> [String] {
        guard headers[values: .authorization].count <= 1 else { throw APIError.twoAuthorizationHeaders }
        var tokens: [String] = []
        if let bearer = (try? bearerToken()) ?? nil { tokens.append(bearer) }
        return tokens + cookies.usableTokens
    }
}
