import Shared

/// User fields with the session's tokens, flattened into one object as the contract shows
/// (signup, login, verify-email). In cookie-only mode the tokens are left out: they travel in
/// cookies.
struct AuthResponse: JSONBody {
    let user: UserResponse
    let tokens: TokenPair?

    init(_ result: AuthResult, includeTokens: Bool) {
        user = UserResponse(result.user)
        tokens = includeTokens ? result.tokens : nil
    }

    func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        try tokens.map { try TokenPairResponse($0).encode(to: encoder) }
    }
}
