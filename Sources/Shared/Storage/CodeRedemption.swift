/// The outcome of redeeming a code, decided in the redeeming transaction.
public enum CodeRedemption: Sendable, Equatable {
    case redeemed(User)
    case invalid
    case expired
    case locked
    /// E-mail change only: the new address was taken meanwhile; nothing changed.
    case emailTaken
    /// Verification continuing a session (`verifyEmailContinuing`): that session ended
    /// meanwhile; nothing changed, the code stays unspent.
    case sessionEnded
}
