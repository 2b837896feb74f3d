import Foundation

/// Forgotten passwords: a reset code mailed to the address, and its confirmation with a new password.
public struct PasswordReset: Sendable {
    let store: any AuthStore
    let throttle: Throttle
    let codeMail: CodeMail
    let codes: CodeVerifier
    let passwords: Passwords
    let audit: AuditLog
    let clock: any AuthClock

    /// Queues a reset code for an active account (60 s cooldown); answers nothing about the address.
    public func request(_ parsed: Result<EmailRequest, AuthError>, client: ClientInfo) async throws {
        try await codeMail.send(.passwordReset, throttledAs: .passwordReset, parsed, client: client) { $0.isActive }
    }

    /// The code is checked first (a wrong one counts as a try), then the new password (a refused
    /// one neither spends the code nor counts); then the password is set, the address verified
    /// and every session ended. The code is redeemed once: with the reset as its effect when the
    /// new password is acceptable (hashed beforehand, outside the transaction), or only checked
    /// when the request is to be refused anyway, so its state is what the client hears first.
    public func confirm(_ parsed: Result<PasswordResetConfirmation, AuthError>, client: ClientInfo) async throws {
        try await throttle.hit(.passwordReset, .ip(client.ip))
        let request = try parsed.get()
        let key = EmailAddress.key(request.email)
        try await throttle.hit(.passwordReset, address: .resetConfirmation(emailKey: key), client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, user.isActive else { throw AuthError.codeInvalid }
        let problems = passwords.problems(
            request.newPassword, attributes: .init(email: user.email, firstName: user.firstName, lastName: user.lastName))
        let effect: CodeEffect = problems.isEmpty ? .resetPassword(hash: try await passwords.hash(request.newPassword)) : .checkOnly
        let outcome = try await store.redeemCode(
            purpose: .passwordReset, userId: id, emailKey: key, now: clock.now(),
            matches: codes.matcher(request.otp, purpose: .passwordReset, emailKey: key), effect: effect)
        try await codes.settle(outcome, purpose: .passwordReset, userId: id, client: client, auditSuccess: problems.isEmpty)
        try FieldErrors(problems.isEmpty ? [:] : ["new_password": problems]).throwIfAny()
        await audit.record(.passwordReset, userId: id, client: client, detail: "all sessions revoked")
    }
}
