import Foundation

/// `smtp://[user:pass@]host:port` or `smtps://…`, split so that the password never appears
/// in a URL that might be logged: `redacted` is what logs and errors show.
public struct SMTPURL: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?

    public struct ParseError: Error {
        public let message: String
    }

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "smtp" || scheme == "smtps"
        else { throw ParseError(message: "expected smtp://[user:pass@]host:port or smtps://…") }
        guard let host = components.host, !host.isEmpty else { throw ParseError(message: "no host") }
        self.scheme = scheme
        self.host = host
        port = components.port ?? (scheme == "smtps" ? 465 : 25)
        username = components.percentEncodedUser?.removingPercentEncoding
        password = components.percentEncodedPassword?.removingPercentEncoding
    }

    /// The URL libcurl connects to, without credentials.
    public var connectionURL: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed):\(port)"
    }

    public var redacted: String {
        (username != nil ? "\(scheme)://\(username!):***@" : "\(scheme)://") + "\(host):\(port)"
    }
}
