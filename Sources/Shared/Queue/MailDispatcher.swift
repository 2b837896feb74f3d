import Crypto
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The worker's loop: claims due jobs, generates and stores codes, renders and sends mail,
/// and settles each job (done, retry with back-off, or dead). A `Service`: on graceful shutdown
/// it stops claiming, lets the sends in flight finish, and gives back leases it has not started.
public struct MailDispatcher: Service {
    let queue: any JobQueue
    let store: any AuthStore
    let mailer: any Mailer
    /// Pushed "a job was queued" signals; with them, idle polling can back off much further.
    let wakeups: JobWakeups?
    let templates: MailTemplates
    let codes: CodeHasher
    /// Keys each job's own random stream (`JobRandom`): codes and message ids are drawn from it.
    let jobRandomKey: SymmetricKey
    let retry: RetryPolicy
    let clock: any AuthClock
    let random: any RandomSource
    let logger: Logger
    let from: String
    let audit: AuditLog
    let concurrency: Int
    let lease: TimeInterval
    let otpTTL: TimeInterval
    let retention: TimeInterval
    /// How often sent jobs past `retention` are deleted (`AUTH_PURGE_INTERVAL`).
    let pruneInterval: Duration
    /// This worker's lease owner name: host, pid and a random suffix.
    public let owner: String

    /// Idle polling: starts short after activity, backs off to `maxIdleDelay`.
    static let minIdleDelay: Duration = .milliseconds(5)
    static let maxIdleDelay: Duration = .milliseconds(100)
    /// With pushed wake-ups, polling only catches retries coming due and lost notifications.
    static let maxIdleDelayWithWakeups: Duration = .milliseconds(1_000)

    public init(queue: any JobQueue, store: any AuthStore, mailer: any Mailer, wakeups: JobWakeups? = nil,
                configuration: WorkerConfiguration,
                secretKey: String, clock: any AuthClock, random: any RandomSource, logger: Logger) {
        self.queue = queue
        self.store = store
        self.mailer = mailer
        self.wakeups = wakeups
        templates = MailTemplates(codeLifetime: configuration.common.otpTTL)
        codes = CodeHasher(secretKey: secretKey)
        jobRandomKey = JobRandom.key(secretKey: secretKey)
        retry = RetryPolicy(base: configuration.retryBase, maximum: configuration.retryMax, maxAttempts: configuration.maxAttempts)
        self.clock = clock
        self.random = random
        self.logger = logger
        from = configuration.common.mailFrom
        audit = AuditLog(store: store, clock: clock, logger: logger)
        concurrency = configuration.concurrency
        lease = configuration.lease
        otpTTL = configuration.common.otpTTL
        retention = configuration.retention
        pruneInterval = .seconds(configuration.common.retention.purgeInterval)
        owner = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(random.token(byteCount: 4))"
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        logger.info("mail worker started", metadata: ["worker.owner": "\(owner)", "worker.concurrency": "\(concurrency)"])
        _ = try await loop(untilDrained: false)
        logger.info("mail worker stopped", metadata: ["worker.owner": "\(owner)"])
    }

    /// Sends everything that is due now, then returns the number of jobs handled (`run --once`).
    @discardableResult
    public func drain() async throws -> Int {
        try await loop(untilDrained: true)
    }

    private func loop(untilDrained: Bool) async throws -> Int {
        let inFlight = Counter()
        let handled = Counter()
        var idleDelay = Self.minIdleDelay
        var lastPrune = ContinuousClock.now - pruneInterval
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if !untilDrained && ContinuousClock.now - lastPrune >= pruneInterval {
                    lastPrune = ContinuousClock.now
                    await prune()
                }
                let free = concurrency - inFlight.value
                var claimed: [MailJob] = []
                // Taken before the claim is sent: the permits of these jobs end before their leases.
                let claimedAt = ContinuousClock.now
                if free > 0 {
                    do {
                        claimed = try await queue.claim(owner: owner, limit: free, lease: lease, now: clock.now())
                    } catch StorageError.unavailable {
                        // Logged once per outage by the storage layer; poll again at the slowest pace.
                        idleDelay = wakeups == nil ? Self.maxIdleDelay : Self.maxIdleDelayWithWakeups
                    } catch {
                        logger.error("claiming jobs failed", metadata: ["error": "\(error)"])
                    }
                }
                for job in claimed {
                    inFlight.add(1)
                    group.addTask {
                        await process(job, leasedAt: claimedAt)
                        inFlight.add(-1)
                        handled.add(1)
                    }
                }
                if !claimed.isEmpty {
                    idleDelay = Self.minIdleDelay
                    continue
                }
                if untilDrained && free == concurrency { break }
                let delay = idleDelay
                do {
                    if let wakeups, !untilDrained {
                        try await cancelWhenGracefulShutdown { await wakeups.wait(timeout: delay) }
                        if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    } else {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                    }
                } catch {
                    break
                }
                if free > 0 { idleDelay = min(idleDelay * 2, wakeups == nil ? Self.maxIdleDelay : Self.maxIdleDelayWithWakeups) }
            }
        }
        return handled.value
    }

    private func prune() async {
        do {
            let cutoff = clock.now().addingTimeInterval(-retention)
            let removed = try await BatchedPurge.run { try await queue.pruneDone(olderThan: cutoff, limit: $0) }
            if removed > 0 { logger.info("pruned done jobs", metadata: ["jobs": "\(removed)"]) }
        } catch {
            logger.warning("pruning done jobs failed", metadata: ["error": "\(error)"])
        }
    }

    /// Handles one claimed job to a settled state; errors are recorded on the job, never thrown.
    /// `leasedAt`: an instant before the claim, where the job's `SendPermit` starts.
    func process(_ job: MailJob, leasedAt: ContinuousClock.Instant) async {
        guard let id = job.id else { return }
        let permit = SendPermit(leasedAt: leasedAt, lease: .milliseconds(Int64(lease * 1_000)))
        var metadata: Logger.Metadata = ["job.id": "\(id)", "job.kind": "\(job.kind.rawValue)", "job.attempt": "\(job.attempts)"]
        do {
            if Task.isShuttingDownGracefully {
                try await queue.release(id: id, owner: owner, now: clock.now())
                return
            }
            guard let message = try await prepare(job) else {
                try await queue.complete(id: id, now: clock.now())
                logger.info("mail skipped: nothing to send any more", metadata: metadata)
                ServiceMetrics.send(job.kind, outcome: "skipped")
                return
            }
            metadata["mail.message_id"] = "\(message.messageID)"
            let started = ContinuousClock.now
            try await sendKeepingLease(message, jobID: id, permit: permit)
            let took = ContinuousClock.now - started
            ServiceMetrics.sent(nanoseconds: took.components.seconds * 1_000_000_000 + took.components.attoseconds / 1_000_000_000)
            try await queue.complete(id: id, now: clock.now())
            logger.info("mail sent", metadata: metadata)
            ServiceMetrics.send(job.kind, outcome: "sent")
            if !job.kind.isNotice, let userId = try? job.decodedPayload().userId {
                await audit.record(.codeSent, userId: userId, client: nil, detail: job.kind.rawValue)
            }
        } catch let error as MailError where error == .leaseLost {
            // Not sent. The lease may be another worker's now: give the job back only if it is
            // still ours (the conditional release changes nothing otherwise).
            logger.warning("lease lost before the message went out; not sent", metadata: metadata)
            ServiceMetrics.send(job.kind, outcome: "lease_lost")
            try? await queue.release(id: id, owner: owner, now: clock.now())
        } catch let error as MailError {
            await settle(job, id: id, error: error, metadata: metadata)
        } catch {
            await settle(job, id: id, error: MailError(.transient, "internal: \(String(describing: type(of: error)))"), metadata: metadata)
        }
    }

    private func settle(_ job: MailJob, id: Int64, error: MailError, metadata: Logger.Metadata) async {
        let error = error.naming(recipient: (try? job.decodedPayload().email) ?? "")
        var metadata = metadata
        metadata["error"] = "\(error)"
        do {
            if error.kind == .permanent || retry.shouldGiveUp(afterAttempts: job.attempts) {
                try await queue.bury(id: id, owner: owner, error: error.description, now: clock.now())
                logger.error("mail dead", metadata: metadata)
                ServiceMetrics.send(job.kind, outcome: "dead")
            } else {
                let delay = retry.delay(afterAttempts: job.attempts, random: random)
                try await queue.retry(id: id, owner: owner, error: error.description, runAt: clock.now().addingTimeInterval(delay), now: clock.now())
                metadata["retry.in_seconds"] = "\(String(format: "%.1f", delay))"
                logger.warning("mail failed, will retry", metadata: metadata)
                ServiceMetrics.send(job.kind, outcome: "retry")
            }
        } catch {
            // The lease will expire and another claim will retry: nothing is lost.
            logger.error("settling a job failed", metadata: ["job.id": "\(id)", "error": "\(error)"])
        }
    }

    /// Sends while a child task renews the lease every third of its length, so a long send is
    /// not mistaken for a dead worker. Each renewal extends `permit`; a renewal that finds the
    /// lease gone revokes it, and one that fails lets it run out: the mailer then abandons the
    /// send rather than deliver a job another worker may have taken.
    private func sendKeepingLease(_ message: MailMessage, jobID: Int64, permit: SendPermit) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(lease / 3))
                    let sentAt = ContinuousClock.now
                    do {
                        if try await queue.renewLease(id: jobID, owner: owner, until: clock.now().addingTimeInterval(lease)) {
                            permit.renewed(at: sentAt)
                        } else {
                            permit.revoke()
                            return
                        }
                    } catch is CancellationError {
                        return
                    } catch {
                        // The permit runs out by itself if no renewal succeeds in time.
                        logger.warning("renewing a lease failed", metadata: ["job.id": "\(jobID)", "error": "\(error)"])
                    }
                }
            }
            defer { group.cancelAll() }
            try await mailer.send(message, permit: permit)
        }
    }

    /// The message for a job, after storing its code; nil when the mail no longer applies
    /// (account gone, inactive, already verified, or its address changed). Every attempt at one
    /// job builds the same message (code, `Message-ID`, boundary) from the job's own stream.
    func prepare(_ job: MailJob) async throws -> MailMessage? {
        let payload: MailJob.Payload
        do { payload = try job.decodedPayload() } catch { throw MailError(.permanent, "unreadable payload") }
        // Jobs queued before nonces existed draw from the system generator (a retry is then a new message).
        let jobRandom: any RandomSource = job.nonce.isEmpty ? random : JobRandom(key: jobRandomKey, nonce: job.nonce)
        // The account is gone: the notice goes to the address it had, without a name.
        if job.kind == .accountDeletedNotice {
            guard !payload.email.isEmpty else { return nil }
            let rendered = templates.render(job.kind, code: nil, name: "")
            return MailMessage.build(from: from, to: payload.email, toName: "", subject: rendered.subject,
                                     plain: rendered.plain, html: rendered.html, date: clock.now(), random: jobRandom)
        }
        guard let user = try await store.user(id: payload.userId), user.isActive else { return nil }
        let key = EmailAddress.key(payload.email)
        let purpose: CodePurpose?
        switch job.kind {
        case .verifyEmail:
            guard !user.isVerified, user.emailKey == key else { return nil }
            purpose = .verifyEmail
        case .passwordReset:
            guard user.emailKey == key else { return nil }
            purpose = .passwordReset
        case .emailChange:
            purpose = .emailChange
        case .emailChangedNotice, .mfaEnabledNotice, .mfaDisabledNotice, .accountDeletedNotice:
            purpose = nil
        }
        var code: String?
        if let purpose {
            let generated = CodeGenerator(random: jobRandom).generate()
            let now = clock.now()
            try await store.storeCode(OneTimeCode(
                purpose: purpose, userId: payload.userId, email: payload.email,
                codeHash: codes.hash(code: generated, purpose: purpose, emailKey: key),
                createdAt: now, expiresAt: now.addingTimeInterval(otpTTL)))
            code = generated
        }
        let name = MailTemplates.displayable([user.firstName, user.lastName].filter { !$0.isEmpty }.joined(separator: " "))
        let rendered = templates.render(job.kind, code: code, name: name)
        return MailMessage.build(
            from: from, to: payload.email, toName: name, subject: rendered.subject,
            plain: rendered.plain, html: rendered.html, date: clock.now(), random: jobRandom)
    }
}

/// A counter shared between the claiming loop and the sends it starts.
final class Counter: Sendable {
    private let state = Mutex(0)

    var value: Int { state.withLock { $0 } }

    func add(_ delta: Int) { state.withLock { $0 += delta } }
}
