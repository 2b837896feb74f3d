import Shared

/// `{"access", "refresh"}`, or `{}` when the tokens travel in cookies only.
struct TokenPairResponse: JSONBody {
    let access: String?
    let refresh: String?

    init(_ pair: TokenPair?) {
        access = pair?.access
        refresh = pair?.refresh
    }

    enum CodingKeys: String, CodingKey { case access, refresh }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(access, forKey: .access)
        try container.encodeIfPresent(refresh, forKey: .refresh)
    }
}
