import Foundation

/// The OpenID Provider's clients, as staff (`/api/admin/clients/`) and the operator
/// (`AuthAPI clients …`) manage them. A secret is made here, shown once (the answer of
/// `create` and `rotateSecret`) and stored only as its keyed hash. Changes are audited with the
/// staff user as the actor; the command line has none.
public struct ClientManagement: Sendable {
    let store: any ClientStore
    let secrets: ClientSecrets
    let audit: AuditLog
    let clock: any AuthClock

    public init(store: any ClientStore, secrets: ClientSecrets, audit: AuditLog, clock: any AuthClock) {
        self.store = store
        self.secrets = secrets
        self.audit = audit
        self.clock = clock
    }

    /// The new client and, for a confidential one, its secret in clear (the only time it is).
    public func create(_ registration: ClientRegistration, by staff: StaffCaller?, client info: ClientInfo?) async throws
        -> (client: OAuthClient, secret: String?) {
        let clientId = secrets.newClientId()
        let secret = registration.isPublic ? nil : secrets.newSecret()
        let client = OAuthClient(
            clientId: clientId, name: registration.name, redirectURIs: registration.redirectURIs,
            postLogoutRedirectURIs: registration.postLogoutRedirectURIs, isPublic: registration.isPublic,
            firstParty: registration.firstParty, requirePKCE: registration.isPublic || registration.requirePKCE,
            createdAt: clock.now(), secretHash: secret.map { secrets.hash($0, clientId: clientId) })
        try await store.insertClient(client)
        await audit.record(.clientCreated, userId: nil, actorId: staff?.id, client: info, detail: clientId)
        return (client, secret)
    }

    public func clients(page: PageRequest) async throws -> Page<OAuthClient> {
        try Administration.checked(try await store.clients(page: page))
    }

    /// Every client, oldest first (the command line's list).
    public func all() async throws -> [OAuthClient] {
        var found: [OAuthClient] = []
        var number = 1
        while true {
            let page = try await store.clients(page: PageRequest(number: number, size: PageRequest.maxSize))
            found += page.items
            guard page.hasNext else { return found }
            number += 1
        }
    }

    public func client(id: String) async throws -> OAuthClient {
        guard let client = try await store.client(id: id) else { throw AuthError.notFound }
        return client
    }

    public func update(id: String, _ change: ClientChange) async throws -> OAuthClient {
        let changed = try change.applied(to: try await client(id: id))
        guard let stored = try await store.updateClient(changed) else { throw AuthError.notFound }
        return stored
    }

    /// Its codes, grants and tokens stop working with it (they reference it).
    public func delete(id: String, by staff: StaffCaller?, client info: ClientInfo?) async throws {
        guard try await store.deleteClient(id: id) else { throw AuthError.notFound }
        await audit.record(.clientDeleted, userId: nil, actorId: staff?.id, client: info, detail: id)
    }

    /// A new secret; the old one stops at once. A public client has none: `publicClient`.
    public func rotateSecret(id: String, by staff: StaffCaller?, client info: ClientInfo?) async throws -> (client: OAuthClient, secret: String) {
        let client = try await client(id: id)
        guard !client.isPublic else { throw AuthError.publicClient }
        let secret = secrets.newSecret()
        let hash = secrets.hash(secret, clientId: id)
        guard try await store.replaceClientSecret(id: id, hash: hash) else { throw AuthError.notFound }
        await audit.record(.clientSecretRotated, userId: nil, actorId: staff?.id, client: info, detail: id)
        var rotated = client
        rotated.secretHash = hash
        return (rotated, secret)
    }
}
