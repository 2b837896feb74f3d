import Foundation

/// `/oauth/authorize` and the start of the sign-in pages: checks the request (in the contract's
/// order, `AuthorizationRequest.check`), then either answers the client at once or keeps the
/// request as an interaction and sends the browser to the login page.
public struct ProviderAuthorization: Sendable {
    let clients: any ClientStore
    let interactions: any InteractionStore
    let secrets: InteractionSecrets
    let clock: any AuthClock

    public init(clients: any ClientStore, interactions: any InteractionStore, secrets: InteractionSecrets, clock: any AuthClock) {
        self.clients = clients
        self.interactions = interactions
        self.secrets = secrets
        self.clock = clock
    }

    public enum Step: Sendable, Equatable {
        /// 400 error page, no redirect.
        case page(String)
        /// Back to the client.
        case redirect(ProviderRedirect)
        /// To the login page of this interaction; `browser` is the `op_browser` value (new
        /// when the request came without one: the edge sets the cookie).
        case login(interaction: String, browser: String)
    }

    /// No sign-in session exists yet in this version of the provider, so every valid request
    /// needs a sign-in: `prompt=none` is `login_required`.
    public func authorize(_ parameters: [(String, String)], browser: String?) async throws -> Step {
        switch try await AuthorizationRequest.check(parameters, client: { try await clients.client(id: $0) }) {
        case .page(let reason):
            return .page(reason)
        case .redirect(let redirect):
            return .redirect(redirect)
        case .valid(let request):
            if request.prompt.contains(.none) {
                return .redirect(ProviderRedirect(
                    to: request.redirectURI, error: .loginRequired, description: "The user is not signed in.", state: request.state))
            }
            let browser = browser.flatMap { $0.utf8.count == 43 && $0.utf8.allSatisfy(Base64URL.isAlphabet) ? $0 : nil } ?? secrets.newValue()
            let id = secrets.newValue()
            let now = clock.now()
            try await interactions.insertInteraction(Interaction(
                idHash: InteractionSecrets.hash(id), browserHash: InteractionSecrets.hash(browser), request: request, stage: .login,
                createdAt: now, expiresAt: now.addingTimeInterval(Interaction.lifetime)))
            return .login(interaction: id, browser: browser)
        }
    }
}
