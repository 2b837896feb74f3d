import Foundation

extension TokenService {
    /// The token pair of a session (its refresh token carries the session's current jti).
    func issue(_ session: LoginSession) async throws -> TokenPair {
        try await issue(userId: session.userId, sessionId: session.id, refreshJti: session.refreshJti, level: session.level)
    }

    /// Claims of a token this service signed, or `tokenNotValid`, whatever was wrong with it.
    func claims(_ token: String, expecting type: TokenClaims.TokenType?) async throws -> TokenClaims {
        do {
            return try await verify(token, expecting: type)
        } catch {
            throw AuthError.tokenNotValid
        }
    }
}
