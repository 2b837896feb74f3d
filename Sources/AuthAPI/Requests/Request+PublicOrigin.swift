import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// `scheme://host[:port]` of this API as its client sees it, for the absolute links DRF
    /// writes (`build_absolute_uri`): `X-Forwarded-Proto` and `X-Forwarded-Host` count only from
    /// a trusted proxy (as Django's `SECURE_PROXY_SSL_HEADER`/`USE_X_FORWARDED_HOST` would be set
    /// for one); our own listener is plain HTTP. Nil when the host is not a well-formed
    /// authority, so that a forged `Host` cannot put another site, a path or a script in a link.
    func publicOrigin(viaTrustedProxy: Bool) -> String? {
        func first(_ name: String) -> String? {
            headers[values: HTTPField.Name(name)!].first?.split(separator: ",").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
        }
        var scheme = "http"
        var host = head.authority?.lowercased()
        if viaTrustedProxy {
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
