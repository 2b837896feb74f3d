import Foundation

/// Mail jobs as the use cases queue them: of one kind, to one address, for one account, made
/// now, with the nonce that keeps every retry of the job one message (the same `Message-ID`).
public struct MailJobs: Sendable {
    let clock: any AuthClock
    let random: any RandomSource

    func make(_ kind: MailJob.Kind, to email: String, of userId: Int64) -> MailJob {
        MailJob(kind: kind, payload: .init(userId: userId, email: email), now: clock.now(), nonce: MailJob.nonce(random))
    }

    /// A job for an account whose id the store assigns in the same transaction (signup).
    func draft(_ kind: MailJob.Kind, to email: String) -> MailJob.Draft {
        MailJob.Draft(kind: kind, email: email, nonce: MailJob.nonce(random))
    }
}
