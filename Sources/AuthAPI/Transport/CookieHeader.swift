import Hummingbird

/// Every value of one cookie name in a request's `Cookie` headers, in order. A browser sends
/// one per matching cookie — a host-only one and a `Domain` one, or one a sibling sub-domain
/// planted — most specific first; Hummingbird's `request.cookies` keeps only the first, which is
/// right for the token cookies but not for the CSRF check, where any of them may be the value
/// the page read.
enum CookieHeader {
    static func values(_ name: String, in request: Request) -> [String] {
        request.headers[values: .cookie].flatMap { $0.split(separator: ";") }.compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name else { return nil }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
    }
}
