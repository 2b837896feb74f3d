import Foundation

/// A logged-in user's new address: a code to the new address, then its confirmation.
public struct EmailChange: Sendable {
    let store: any AuthStore
    let passwords: Passwords
    let throttle: Throttle
    let stepUp: StepUp
    let codes: CodeVerifier
    let mailJobs: MailJobs
    let audit: AuditLog
    let clock: any AuthClock

    /// Checks the password and the new address, then queues a code to the new address
    /// (60 s cooldown per user).
    public func request(_ caller: Authenticated, _ parsed: Result<EmailChangeRequest, AuthError>, client: ClientInfo) async throws {
        try stepUp.require(caller)
        try await throttle.hit(.emailChange, .ip(client.ip), .email(caller.user.emailKey))
        var request = try parsed.get()
        if let newEmail = request.newEmail {
            if !EmailAddress.isValid(newEmail) {
                request.problems.add("new_email", "Enter a valid email address.")
            } else if EmailAddress.key(newEmail) == caller.user.emailKey {
                request.problems.add("new_email", "This is already your email address.")
            } else if try await store.user(emailKey: EmailAddress.key(newEmail)) != nil {
                request.problems.add("new_email", Registration.emailTakenMessage)
            }
        }
        if let password = request.password, !(await passwords.matches(password, of: caller.user)) {
            request.problems.add("password", "Password is incorrect.")
        }
        try request.problems.throwIfAny()
        guard let newEmail = request.newEmail else { throw AuthError.field("new_email", "This field is required.") }
        let subject = "user:\(caller.userId)"
        let now = clock.now()
        let queued = try await store.queueMail(
            mailJobs.make(.emailChange, to: newEmail, of: caller.userId), cooldownSubject: subject, cooldown: CodeMail.cooldown, now: now)
        if !queued {
            let remaining = try await store.cooldownRemaining(kind: .emailChange, cooldownSubject: subject, cooldown: CodeMail.cooldown, now: now)
            throw AuthError.throttled(retryAfter: max(1, Int(remaining.rounded(.up))))
        }
    }

    /// Swaps in the new address if the code is right and the address still free; notifies the old one.
    public func confirm(_ caller: Authenticated, _ parsed: Result<EmailChangeConfirmation, AuthError>, client: ClientInfo) async throws -> User {
        try stepUp.require(caller)
        let request = try parsed.get()
        try await throttle.hit(.emailChange, .ip(client.ip), .email(caller.user.emailKey))
        let outcome = try await store.redeemCode(
            purpose: .emailChange, userId: caller.userId, emailKey: nil, now: clock.now(),
            matches: codes.matcher(request.otp, purpose: .emailChange, emailKey: nil),
            effect: .changeEmail(notice: mailJobs.make(.emailChangedNotice, to: caller.user.email, of: caller.userId)))
        if case .emailTaken = outcome { throw AuthError.emailTakenMeanwhile }
        let user = try await codes.settle(outcome, purpose: .emailChange, userId: caller.userId, client: client)
        await audit.record(.emailChanged, userId: caller.userId, client: client)
        return user
    }
}
