import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// The OpenID Provider's clients on every backend: stored and read back exactly (URIs as
    /// registered), paged oldest first, changed, deleted, and a secret replaced only for a
    /// confidential client.
    @Suite("Client storage conformance")
    struct ClientStorageTests {
        typealias C = Conformance

        static func client(_ id: String, at seconds: TimeInterval, public isPublic: Bool = false) -> OAuthClient {
            OAuthClient(
                clientId: id, name: "App \(id) — ünïcode", redirectURIs: ["https://app.example.com/cb?x=1&y=2", "http://127.0.0.1:8080/cb"],
                postLogoutRedirectURIs: isPublic ? [] : ["https://app.example.com/bye"], isPublic: isPublic, firstParty: !isPublic,
                requirePKCE: true, createdAt: C.at(seconds), secretHash: isPublic ? nil : Data([1, 2, 3, 4]))
        }

        @Test("Insert, read, page oldest first, update, replace a secret, delete", arguments: TestStore.available)
        func lifecycle(store: TestStore) async throws {
            let db = try await store.openFresh()
            let confidential = Self.client("conf_ABC-123", at: 10)
            let publicClient = Self.client("pub_XYZ-789", at: 5, public: true)
            try await db.insertClient(confidential)
            try await db.insertClient(publicClient)
            #expect(try await db.client(id: "conf_ABC-123") == confidential)
            #expect(try await db.client(id: "pub_XYZ-789") == publicClient)
            #expect(try await db.client(id: "nope") == nil)
            await #expect(throws: StorageError.uniqueViolation) { try await db.insertClient(confidential) }

            let page = try await db.clients(page: PageRequest(number: 1, size: 1))
            #expect(page.count == 2 && page.items.map(\.clientId) == ["pub_XYZ-789"] && page.hasNext)
            #expect(try await db.clients(page: PageRequest(number: 2, size: 1)).items.map(\.clientId) == ["conf_ABC-123"])

            var changed = confidential
            changed.name = "Renamed"
            changed.redirectURIs = ["https://new.example.com/cb"]
            changed.requirePKCE = false
            changed.isPublic = true  // read-only: never stored by an update
            let stored = try #require(try await db.updateClient(changed))
            #expect(stored.name == "Renamed" && stored.redirectURIs == ["https://new.example.com/cb"] && !stored.requirePKCE)
            #expect(!stored.isPublic && stored.secretHash == confidential.secretHash)
            var missing = changed
            missing.clientId = "gone"
            #expect(try await db.updateClient(missing) == nil)

            #expect(try await db.replaceClientSecret(id: "conf_ABC-123", hash: Data([9, 9])))
            #expect(try await db.client(id: "conf_ABC-123")?.secretHash == Data([9, 9]))
            #expect(try await db.replaceClientSecret(id: "pub_XYZ-789", hash: Data([9, 9])) == false, "a public client has no secret")
            #expect(try await db.client(id: "pub_XYZ-789")?.secretHash == nil)

            #expect(try await db.deleteClient(id: "conf_ABC-123"))
            #expect(try await db.deleteClient(id: "conf_ABC-123") == false)
            #expect(try await db.clients(page: PageRequest()).items.map(\.clientId) == ["pub_XYZ-789"])
            await db.close()
        }
    }
}
