import Foundation
import Logging
import Shared

/// What the router needs of the OpenID Provider when `AUTH_OIDC_ISSUER` is set: its settings,
/// its use cases and its pages. Without it, discovery and `/oauth/*` are not routed (404).
struct ProviderEdge: Sendable {
    let configuration: ProviderConfiguration
    let authorization: ProviderAuthorization
    let signIn: ProviderSignIn
    let tokens: ProviderTokenEndpoint
    let pages: PageRenderer

    init(configuration: ProviderConfiguration, accounts: AccountUseCases, database: any AuthBackend, ring: KeyRing, secretKey: String,
         accessTTL: TimeInterval, refreshTTL: TimeInterval, clock: any AuthClock, random: any RandomSource, logger: Logger) throws {
        self.configuration = configuration
        let secrets = InteractionSecrets(secretKey: secretKey, random: random)
        authorization = ProviderAuthorization(clients: database, interactions: database, secrets: secrets, clock: clock)
        signIn = accounts.providerSignIn(store: database, secrets: secrets, provider: configuration)
        tokens = ProviderTokenEndpoint(
            clients: database, store: database, secrets: ClientSecrets(secretKey: secretKey, random: random),
            tokens: ProviderTokens(ring: ring, provider: configuration, accessTTL: accessTTL, clock: clock, random: random),
            audit: AuditLog(store: database, clock: clock, logger: logger), clock: clock, random: random, refreshTTL: refreshTTL,
            accessTTL: accessTTL)
        pages = try PageRenderer.load(overrides: configuration.templatesDirectory, base: configuration.issuerPath)
    }
}
