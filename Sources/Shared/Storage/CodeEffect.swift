import Foundation

/// What a redeemed code does, applied in the redeeming transaction.
public enum CodeEffect: Sendable {
    /// Verification: marks the e-mail verified and starts a login session.
    case verifyEmail(session: LoginSession)
    /// Verification from within a login session of the same user (the one signup opened):
    /// marks the e-mail verified and rotates that session to `newJti` instead of opening a
    /// second one. `.sessionEnded`, changing nothing, when the session is no longer active.
    case verifyEmailContinuing(sessionId: String, newJti: String, newExpiry: Date)
    /// Checks the code (a wrong one counts as a try) without spending it: for a request that is
    /// refused anyway (a password reset whose new password is refused), so that the client hears
    /// the code's state first and the code stays usable.
    case checkOnly
    /// Password reset: the new hash, the address verified, every session ended.
    case resetPassword(hash: String)
    /// E-mail change: the code's address becomes the user's (verified), and `notice` (to the old
    /// address) is queued.
    case changeEmail(notice: MailJob)
}
