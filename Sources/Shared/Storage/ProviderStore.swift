import Foundation

/// The OpenID Provider's sign-in state (`ProviderRules`): sign-in sessions, interactions moving
/// through the pages, consent grants and authorization codes.
public protocol ProviderStore: Sendable {
    /// The last factor passed: opens the sign-in session (a login session found by the hash of
    /// its `op_session` cookie), records the login as `/login/` does, and moves the interaction
    /// on to `stage` with that session, in one transaction. False when the interaction is gone
    /// (nothing is written).
    func recordProviderSignIn(session: LoginSession, cookieHash: Data, upgrade: (from: String, to: String)?, interactionHash: Data,
                              stage: Interaction.Stage, now: Date) async throws -> Bool
    /// The password passed and a second factor is due: the interaction remembers the user and
    /// the hash of the login challenge that `completeMFALogin` will spend.
    func awaitSecondFactor(interactionHash: Data, userId: Int64, challengeHash: [UInt8], now: Date) async throws -> Bool
    /// The second factor passed: the session `completeMFALogin` opened becomes the sign-in
    /// session (its cookie hash), and the interaction moves on to `stage` with it.
    func adoptSignInSession(sessionId: String, cookieHash: Data, interactionHash: Data, stage: Interaction.Stage, now: Date) async throws -> Bool
    /// The login challenge of an interaction waiting for its second factor.
    func interactionChallenge(interactionHash: Data, now: Date) async throws -> [UInt8]?
    /// One more wrong second-factor code for the interaction; it ends (is deleted) at `limit`.
    /// Returns the attempts counted, or nil when it is gone.
    func countInteractionFailure(interactionHash: Data, limit: Int, now: Date) async throws -> Int?
    func setInteractionStage(interactionHash: Data, stage: Interaction.Stage, now: Date) async throws -> Bool
    func endInteraction(interactionHash: Data) async throws
    /// The scopes the user has granted the client; nil without a grant.
    func grant(userId: Int64, clientId: String) async throws -> Set<String>?
    /// Issues a code: stores it, adds its scopes to the user's grant for the client (made if
    /// missing), and ends the interaction, in one transaction. False when the interaction is
    /// gone or its sign-in session has ended (nothing is written).
    func issueCode(_ code: AuthorizationCode, interactionHash: Data, now: Date) async throws -> Bool
}

/// The provider's code exchange and token sessions (`TokenSessionRules`).
public protocol TokenSessionStore: Sendable {
    func redeemAuthorizationCode(codeHash: Data, clientId: String, redirectURI: String, now: Date,
                                 verifies: @escaping @Sendable (String?) -> Bool,
                                 open: @escaping @Sendable (AuthorizationCode, LoginSession) -> TokenSession) async throws -> CodeRedemptionOutcome
    func rotateProviderRefresh(sessionId: String, presentedHash: Data, newHash: Data, clientId: String, scopes: [String]?, now: Date) async throws
        -> ProviderRefreshOutcome
    func tokenSessionUser(id: String, now: Date) async throws -> (TokenSession, User)?
}
