import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The OpenID Provider's server-rendered pages: mustache templates from the package's
/// resources (`Sources/AuthAPI/Pages`), each replaceable, with the stylesheet, by a file of the
/// same name in `AUTH_OIDC_TEMPLATES` (read at start: restyling needs a restart, not a build).
/// Every value is HTML-escaped by mustache's `{{…}}`; the templates have no script and no
/// inline style, and every page carries the contract's headers (`headers`).
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let stylesheet: ByteBuffer
    /// The issuer's path: the prefix of every URL a page names.
    let base: String

    static let templates = ["head", "error", "login", "mfa", "consent"]

    /// The built-in pages, then the files of `overrides` that replace them.
    static func load(overrides: String?, base: String) throws -> PageRenderer {
        guard let builtIn = Bundle.module.resourceURL?.appendingPathComponent("Pages") else {
            throw PageError.missingResources
        }
        var library = MustacheLibrary()
        for name in templates {
            let file = [overrides.map { URL(fileURLWithPath: $0).appendingPathComponent("\(name).mustache") }, builtIn.appendingPathComponent("\(name).mustache")]
                .compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
            guard let file else { throw PageError.missingTemplate(name) }
            try library.register(String(contentsOf: file, encoding: .utf8), named: name)
        }
        let css = [overrides.map { URL(fileURLWithPath: $0).appendingPathComponent("style.css") }, builtIn.appendingPathComponent("style.css")]
            .compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
        guard let css else { throw PageError.missingTemplate("style.css") }
        return PageRenderer(library: library, stylesheet: ByteBuffer(data: try Data(contentsOf: css)), base: base)
    }

    enum PageError: Error, CustomStringConvertible {
        case missingResources
        case missingTemplate(String)

        var description: String {
            switch self {
            case .missingResources: return "the sign-in pages' resources are missing from the build"
            case .missingTemplate(let name): return "the sign-in page template \(name) is missing"
            }
        }
    }

    /// No script, no framing, no referrer; styles from this origin only; no `form-action`
    /// (browsers apply it to the redirect that follows a form, which goes to the client).
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"

    static var headers: HTTPFields {
        [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("X-Frame-Options")!: "DENY",
            .xContentTypeOptions: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            .contentSecurityPolicy: contentSecurityPolicy,
        ]
    }

    func page(_ name: String, status: HTTPResponse.Status = .ok, _ values: [String: Any] = [:]) -> Response {
        var context = values
        context["base"] = base
        let html = library.render(context, withTemplate: name) ?? ""
        return Response(status: status, headers: Self.headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The 400 page of a request that cannot go back to a client.
    func error(_ message: String, title: String = "Sign-in error", status: HTTPResponse.Status = .badRequest) -> Response {
        page("error", status: status, ["title": title, "message": message])
    }

    var stylesheetResponse: Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                 body: .init(byteBuffer: stylesheet))
    }
}
