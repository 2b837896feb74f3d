import Shared

/// What the router needs of the OpenID Provider when `AUTH_OIDC_ISSUER` is set: its settings,
/// its use cases and its pages. Without it, discovery and `/oauth/*` are not routed (404).
struct ProviderEdge: Sendable {
    let configuration: ProviderConfiguration
    let authorization: ProviderAuthorization
    let signIn: ProviderSignIn
    let pages: PageRenderer

    init(configuration: ProviderConfiguration, accounts: AccountUseCases, database: any AuthBackend, secretKey: String,
         clock: any AuthClock, random: any RandomSource) throws {
        self.configuration = configuration
        let secrets = InteractionSecrets(secretKey: secretKey, random: random)
        authorization = ProviderAuthorization(clients: database, interactions: database, secrets: secrets, clock: clock)
        signIn = accounts.providerSignIn(store: database, secrets: secrets, provider: configuration)
        pages = try PageRenderer.load(overrides: configuration.templatesDirectory, base: configuration.issuerPath)
    }
}
