import Foundation

/// Asking for a code by address (send-otp, password reset): throttled per IP, then per address;
/// a mail queued to the account of the address when it is `eligible`, at most one per address
/// per cooldown. Answers nothing about the address: the caller's response is the same whether
/// or not a mail was queued.
public struct CodeMail: Sendable {
    let store: any AuthStore
    let throttle: Throttle
    let mailJobs: MailJobs
    let clock: any AuthClock

    /// The seconds between two code mails to one address.
    public static let cooldown: TimeInterval = 60

    func send(_ kind: MailJob.Kind, throttledAs scope: ThrottleScope, _ parsed: Result<EmailRequest, AuthError>,
              client: ClientInfo, eligible: (User) -> Bool) async throws {
        try await throttle.hit(scope, .ip(client.ip))
        let key = EmailAddress.key(try parsed.get().email)
        try await throttle.hit(scope, address: .email(key), client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, eligible(user) else { return }
        _ = try await store.queueMail(mailJobs.make(kind, to: user.email, of: id), cooldownSubject: key, cooldown: Self.cooldown, now: clock.now())
    }
}
