import Shared

/// A consent at the OpenID Provider, as `GET /grants/` and the export show it.
struct GrantResponse: JSONBody {
    let clientId: String
    let clientName: String
    let scopes: [String]
    let createdAt: String
    let updatedAt: String

    init(_ grant: ProviderGrant) {
        clientId = grant.clientId
        clientName = grant.clientName
        scopes = grant.scopes
        createdAt = ISO8601Text.string(grant.createdAt)
        updatedAt = ISO8601Text.string(grant.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case scopes
        case clientId = "client_id"
        case clientName = "client_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
