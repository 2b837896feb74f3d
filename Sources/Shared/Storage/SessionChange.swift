/// The outcome of rotating or ending a session with a presented refresh token.
public enum SessionChange: Sendable, Equatable {
    case done
    /// Rotated; the session's level, for the new tokens.
    case rotated(SessionLevel)
    /// The token was an already-rotated one: the session has been revoked.
    case reuseDetected(userId: Int64)
    /// Unknown, expired or already ended session, or an inactive user.
    case inactive
}
