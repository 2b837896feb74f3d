/// Why a use case refused, in the domain's own words: no HTTP status, message or header is in
/// it. AuthAPI maps each case, in one place (`APIError+AuthError.swift`), to the contract's JSON.
public enum AuthError: Error, Sendable, Equatable {
    /// Wrong fields, every one of them at once.
    case fields(FieldErrors)
    /// No credentials at all.
    case notAuthenticated
    /// A token that is invalid, expired, of the wrong type, or whose session has ended.
    case tokenNotValid
    case userInactive
    /// Unknown address, wrong password or inactive account: one answer for all three.
    case invalidCredentials
    /// The password is right but the address is not verified yet.
    case emailNotVerified
    /// No active code, a wrong one, or a used one.
    case codeInvalid
    case codeExpired
    /// Five wrong tries burnt the code.
    case codeLocked
    /// E-mail change: the new address was taken after the code was sent; nothing changed.
    case emailTakenMeanwhile
    case notFound
    /// Over a rate limit (or a send cooldown); the request may be retried after that many seconds.
    case throttled(retryAfter: Int)
    /// A wrong, replayed or malformed second-factor code (or no pending setup to confirm).
    case mfaInvalid
    /// The action needs a session that passed the second factor (step-up).
    case mfaRequired
    /// The caller is authenticated but not allowed (not active staff, for the admin API).
    case permissionDenied
    /// A page number past the last page, or not a number.
    case invalidPage
    /// The change would leave no active staff account.
    case lastStaff
    /// Only a dead mail job can be requeued.
    case jobNotDead
    /// Staff asked for a verification code for an address already verified.
    case alreadyVerified
    /// Staff asked to mail a deactivated account: the worker sends nothing to one, so the
    /// request is refused rather than answered 202 for a mail that never goes.
    case accountInactive
    /// A secret asked of a public client (it has none: PKCE is its proof).
    case publicClient

    /// One wrong field.
    public static func field(_ name: String, _ message: String) -> AuthError {
        .fields(FieldErrors([name: [message]]))
    }
}
