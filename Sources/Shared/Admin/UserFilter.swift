/// What the admin's user list shows: users whose address or names hold every search term,
/// and flags.
public struct UserFilter: Sendable, Equatable {
    /// The search's terms, as DRF's `SearchFilter` splits `?search=`; each is matched
    /// case-insensitively anywhere in the address, first or last name, and every term must
    /// match. Empty: everyone.
    public var terms: [String]
    public var isVerified: Bool?
    public var isActive: Bool?
    public var isStaff: Bool?

    /// More terms than a person types; beyond it the query is refused rather than cut short.
    public static let maxTerms = 20

    public init(search: String? = nil, isVerified: Bool? = nil, isActive: Bool? = nil, isStaff: Bool? = nil) {
        terms = search.map(Self.terms) ?? []
        self.isVerified = isVerified
        self.isActive = isActive
        self.isStaff = isStaff
    }

    /// DRF 3.15's `search_smart_split`: words split on white space and commas; a phrase in
    /// double or single quotes stays one term (its quotes removed, `\"` inside kept as `"`).
    static func terms(_ search: String) -> [String] {
        var terms: [String] = []
        var rest = Substring(search)
        while let start = rest.firstIndex(where: { !$0.isWhitespace }) {
            rest = rest[start...]
            if let quote = rest.first, quote == "\"" || quote == "'",
               let end = Self.closingQuote(quote, in: rest.dropFirst()) {
                let phrase = rest[rest.index(after: rest.startIndex)..<end]
                    .replacingOccurrences(of: "\\\(quote)", with: String(quote)).replacingOccurrences(of: "\\\\", with: "\\")
                if !phrase.isEmpty { terms.append(phrase) }
                rest = rest[rest.index(after: end)...]
                continue
            }
            let word = rest.prefix { !$0.isWhitespace }
            terms += word.split(separator: ",").map { String($0).trimmingWhiteSpace() }.filter { !$0.isEmpty }
            rest = rest[word.endIndex...]
        }
        return terms
    }

    /// The quote that ends a phrase: unescaped, and followed by white space, a comma or the end.
    private static func closingQuote(_ quote: Character, in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\\" {
                index = text.index(after: index)
                if index < text.endIndex { index = text.index(after: index) }
                continue
            }
            if character == quote {
                let after = text.index(after: index)
                if after == text.endIndex || text[after].isWhitespace || text[after] == "," { return index }
            }
            index = text.index(after: index)
        }
        return nil
    }
}
