/// The step-up rule, with one entry point: with a second factor on, an action that could take
/// the account over (password or address change, turning MFA off, new recovery codes, deleting
/// the account) needs a session that passed the second factor — else 403 `mfa_required`. The
/// caller's user row says whether MFA is on (read with the session on every request).
public struct StepUp: Sendable {
    public init() {}

    func require(_ caller: Authenticated) throws(AuthError) {
        if caller.user.mfaEnabled && caller.level.aal < 2 { throw AuthError.mfaRequired }
    }
}
