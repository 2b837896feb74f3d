import Foundation
import Hummingbird
import Shared

/// DRF's page-number pagination: `{"count", "next", "previous", "results"}`, the links absolute
/// URLs of this request with `page` replaced (dropped for the first page, as DRF does).
struct PageResponse<Item: Encodable & Sendable>: JSONBody {
    let count: Int
    let next: String?
    let previous: String?
    let results: [Item]

    init<Source>(_ page: Page<Source>, request: Request, context: APIRequestContext, map: (Source) -> Item) {
        count = page.count
        results = page.items.map(map)
        let origin = request.publicOrigin(viaTrustedProxy: context.viaTrustedProxy)
        next = page.hasNext ? Self.link(request, origin: origin, page: page.request.number + 1) : nil
        previous = page.hasPrevious ? Self.link(request, origin: origin, page: page.request.number - 1) : nil
    }

    enum CodingKeys: String, CodingKey { case count, next, previous, results }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(next, forKey: .next)
        try container.encode(previous, forKey: .previous)
        try container.encode(results, forKey: .results)
    }

    /// This request's URL with `page` set to `number` (removed for page 1), the rest of the query
    /// kept as it was sent, in order; absolute as DRF writes it when the origin is known, else
    /// a path-only reference.
    static func link(_ request: Request, origin: String?, page number: Int) -> String {
        var pairs = (request.uri.query ?? "").split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return (name.removingPercentEncoding ?? String(name)) != "page"
        }.map(String.init)
        if number > 1 { pairs.append("page=\(number)") }
        return (origin ?? "") + request.uri.path + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
    }
}
