import Shared

/// A client as staff and the command line see it; `client_secret` only in the answers of
/// creation and rotation (the one time it exists in clear), never the stored hash.
struct ClientResponse: JSONBody {
    let clientId: String
    let name: String
    let redirectURIs: [String]
    let postLogoutRedirectURIs: [String]
    let isPublic: Bool
    let firstParty: Bool
    let requirePKCE: Bool
    let createdAt: String
    let clientSecret: String?

    init(_ client: OAuthClient, secret: String? = nil) {
        clientId = client.clientId
        name = client.name
        redirectURIs = client.redirectURIs
        postLogoutRedirectURIs = client.postLogoutRedirectURIs
        isPublic = client.isPublic
        firstParty = client.firstParty
        requirePKCE = client.requirePKCE
        createdAt = ISO8601Text.string(client.createdAt)
        clientSecret = secret
    }

    enum CodingKeys: String, CodingKey {
        case name
        case clientId = "client_id"
        case redirectURIs = "redirect_uris"
        case postLogoutRedirectURIs = "post_logout_redirect_uris"
        case isPublic = "public"
        case firstParty = "first_party"
        case requirePKCE = "require_pkce"
        case createdAt = "created_at"
        case clientSecret = "client_secret"
    }

    /// `client_secret` is left out, not null, when there is none.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clientId, forKey: .clientId)
        try container.encode(name, forKey: .name)
        try container.encode(redirectURIs, forKey: .redirectURIs)
        try container.encode(postLogoutRedirectURIs, forKey: .postLogoutRedirectURIs)
        try container.encode(isPublic, forKey: .isPublic)
        try container.encode(firstParty, forKey: .firstParty)
        try container.encode(requirePKCE, forKey: .requirePKCE)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(clientSecret, forKey: .clientSecret)
    }
}
