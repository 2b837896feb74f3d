import Foundation
import Hummingbird

extension Request {
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
}
