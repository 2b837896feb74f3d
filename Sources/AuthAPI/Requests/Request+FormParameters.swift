import Foundation
import Hummingbird
import Shared

extension Request {
    /// The largest form body `/oauth/*` reads: no parameter set of the protocol comes near it.
    static let maxFormBody = 64 * 1024

    /// The query's name/value pairs in order, duplicates kept; nil when it is not valid
    /// form encoding.
    func queryPairs() -> [(String, String)]? {
        FormEncoding.decode(Array(uri.query?.utf8 ?? "".utf8))
    }

    /// The parameters of a provider request: the query string of a GET, the form body of a
    /// POST (`application/x-www-form-urlencoded`, `+` is a space). nil: not readable as such
    /// (a JSON body, a malformed escape, a body over `maxFormBody`).
    func formParameters() async throws -> [(String, String)]? {
        guard method == .post else { return queryPairs() }
        let type = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else { return nil }
        let body = try await self.body.collect(upTo: Self.maxFormBody)
        return FormEncoding.decode(body.readableBytesView)
    }
}
