import Crypto
import Foundation
import Shared

/// Tokens signed with the test server's key but with claims of the test's choosing: what an
/// attacker who obtained a signing key, or a buggy peer that shares it, could present.
enum TokenForge {
    /// The claims of a token, as JSON.
    static func claims(of token: String) throws -> [String: Any] {
        guard let payload = Base64URL.decode(token.split(separator: ".")[1]),
              let claims = try JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { throw TestServerError.failed("not a JWT: \(token)") }
        return claims
    }

    /// `token`'s claims with `changes` applied (a value of `NSNull()` removes the claim), signed
    /// with HS256 under `secret` as simplejwt would sign them.
    static func resign(_ token: String, _ changes: [String: Any], secret: String = TestServer.secretKey) throws -> String {
        var claims = try claims(of: token)
        for (key, value) in changes {
            if value is NSNull { claims[key] = nil } else { claims[key] = value }
        }
        return sign(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]), secret: secret)
    }

    static func sign(_ payload: Data, header: String = #"{"alg":"HS256","typ":"JWT"}"#, secret: String = TestServer.secretKey) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return input + "." + Base64URL.encode(Array(mac))
    }
}
