/// A new client, from `POST /api/admin/clients/` or `AuthAPI clients create`: every rule of the
/// contract's "Clients" checked here, once for both, with every problem reported at once.
public struct ClientRegistration: Sendable, Equatable {
    public var name: String
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]
    public var isPublic: Bool
    public var firstParty: Bool
    public var requirePKCE: Bool

    public static let maxNameLength = 100

    /// Checks the values; field errors name the JSON fields.
    public init(name: String, redirectURIs: [String], postLogoutRedirectURIs: [String] = [], isPublic: Bool = false,
                firstParty: Bool = false, requirePKCE: Bool = true) throws(AuthError) {
        var errors = FieldErrors()
        Self.check(name: name, &errors)
        Self.check(redirectURIs: redirectURIs, postLogout: postLogoutRedirectURIs, isPublic: isPublic, &errors)
        if isPublic && !requirePKCE {
            errors.add("require_pkce", "A public client always requires PKCE.")
        }
        try errors.throwIfAny()
        self.name = name
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.isPublic = isPublic
        self.firstParty = firstParty
        self.requirePKCE = requirePKCE
    }

    /// The JSON body; unknown fields are ignored, as a DRF serializer ignores them.
    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let name = reader.requiredString("name", trim: true)
        let redirects = reader.optionalStringList("redirect_uris")
        if object["redirect_uris"] == nil { reader.add("redirect_uris", "This field is required.") }
        let postLogout = reader.optionalStringList("post_logout_redirect_uris") ?? []
        let isPublic = reader.optionalBool("public") ?? false
        let firstParty = reader.optionalBool("first_party") ?? false
        let requirePKCE = reader.optionalBool("require_pkce") ?? true
        try reader.finish()
        try self.init(name: name ?? "", redirectURIs: redirects ?? [], postLogoutRedirectURIs: postLogout, isPublic: isPublic,
                      firstParty: firstParty, requirePKCE: requirePKCE)
    }

    static func check(name: String, _ errors: inout FieldErrors) {
        if name.isEmpty {
            errors.add("name", "This field may not be blank.")
        } else if name.count > maxNameLength {
            errors.add("name", "Ensure this field has no more than \(maxNameLength) characters.")
        }
    }

    static func check(redirectURIs: [String]?, postLogout: [String]?, isPublic: Bool, _ errors: inout FieldErrors) {
        if let redirectURIs {
            if redirectURIs.isEmpty { errors.add("redirect_uris", "Register at least one redirect URI.") }
            for uri in redirectURIs {
                if let problem = RedirectURI.problem(uri, isPublic: isPublic) { errors.add("redirect_uris", problem) }
            }
        }
        for uri in postLogout ?? [] {
            if let problem = RedirectURI.problem(uri, isPublic: isPublic) { errors.add("post_logout_redirect_uris", problem) }
        }
    }
}

/// `PATCH /api/admin/clients/{id}/`: the fields to change (nil: unchanged). `public` is
/// read-only and ignored; rules that depend on it are checked against the client (`applied`).
public struct ClientChange: Sendable, Equatable {
    public var name: String?
    public var redirectURIs: [String]?
    public var postLogoutRedirectURIs: [String]?
    public var firstParty: Bool?
    public var requirePKCE: Bool?

    public init(name: String? = nil, redirectURIs: [String]? = nil, postLogoutRedirectURIs: [String]? = nil, firstParty: Bool? = nil,
                requirePKCE: Bool? = nil) {
        self.name = name
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.firstParty = firstParty
        self.requirePKCE = requirePKCE
    }

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        name = reader.optionalString("name", trim: true)
        redirectURIs = reader.optionalStringList("redirect_uris")
        postLogoutRedirectURIs = reader.optionalStringList("post_logout_redirect_uris")
        firstParty = reader.optionalBool("first_party")
        requirePKCE = reader.optionalBool("require_pkce")
        try reader.finish()
    }

    /// The client with the change applied, or the field errors of the contract's rules.
    public func applied(to client: OAuthClient) throws(AuthError) -> OAuthClient {
        var errors = FieldErrors()
        if let name { ClientRegistration.check(name: name, &errors) }
        ClientRegistration.check(redirectURIs: redirectURIs, postLogout: postLogoutRedirectURIs, isPublic: client.isPublic, &errors)
        if client.isPublic && requirePKCE == false {
            errors.add("require_pkce", "A public client always requires PKCE.")
        }
        try errors.throwIfAny()
        var changed = client
        if let name { changed.name = name }
        if let redirectURIs { changed.redirectURIs = redirectURIs }
        if let postLogoutRedirectURIs { changed.postLogoutRedirectURIs = postLogoutRedirectURIs }
        if let firstParty { changed.firstParty = firstParty }
        if let requirePKCE { changed.requirePKCE = requirePKCE }
        return changed
    }
}
