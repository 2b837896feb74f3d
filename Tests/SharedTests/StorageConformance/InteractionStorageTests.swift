import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// The provider's pending authorization requests on every backend: kept whole, found only by
    /// their id's hash from the browser that started them and until they expire, gone with their
    /// client and purged once expired.
    @Suite("Interaction storage conformance")
    struct InteractionStorageTests {
        typealias C = Conformance

        @Test("Stored whole, bound to its browser and lifetime, gone with its client, purged when expired", arguments: TestStore.available)
        func lifecycle(store: TestStore) async throws {
            let db = try await store.openFresh()
            let client = OAuthClient(clientId: "client-for-interactions", name: "RP", redirectURIs: ["https://rp.example/cb"],
                                     isPublic: true, createdAt: C.t0)
            try await db.insertClient(client)
            let request = AuthorizationRequest(
                client: client, redirectURI: "https://rp.example/cb", scopes: ["openid", "email"], state: "s", nonce: "n",
                codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", prompt: [.login, .consent], maxAge: 60, loginHint: "a@b.example")
            let interaction = Interaction(
                idHash: InteractionSecrets.hash("id-1"), browserHash: InteractionSecrets.hash("browser-1"), request: request, stage: .login,
                createdAt: C.t0, expiresAt: C.at(600))
            try await db.insertInteraction(interaction)
            #expect(try await db.interaction(idHash: interaction.idHash, browserHash: interaction.browserHash, now: C.at(10)) == interaction)
            #expect(try await db.interaction(idHash: interaction.idHash, browserHash: InteractionSecrets.hash("browser-2"), now: C.at(10)) == nil)
            #expect(try await db.interaction(idHash: interaction.idHash, browserHash: interaction.browserHash, now: C.at(600)) == nil)

            // Purged once expired past the grace; gone with its client.
            _ = try await db.purgeExpired(now: C.at(600 + RetentionPolicy.default.grace + 1), retention: .default, limit: 100)
            #expect(try await db.rows("oauth_interactions") == 0)
            try await db.insertInteraction(interaction)
            #expect(try await db.deleteClient(id: client.clientId))
            #expect(try await db.rows("oauth_interactions") == 0)
            await db.close()
        }
    }
}
