import Foundation
import Logging
import NIOPosix
import Shared

/// Builds the worker from its configuration: the mailer (SMTP or outbox) and the dispatcher.
/// The returned thread pool runs libcurl's blocking sends; shut it down after the dispatcher.
func buildDispatcher(
    configuration: WorkerConfiguration, database: any AuthBackend, logger: Logger,
    clock: any AuthClock = SystemClock(), random: any RandomSource = SecureRandom()
) throws -> (MailDispatcher, NIOThreadPool) {
    let common = configuration.common
    let secretKey = try SecretKeyStore.resolve(configured: common.secretKey, directory: common.databaseDirectory, random: random)
    let threadPool = NIOThreadPool(numberOfThreads: configuration.concurrency)
    threadPool.start()
    let mailer: any Mailer
    if let url = configuration.smtpURL {
        mailer = SMTPMailer(url: url, startTLS: configuration.startTLS, caFile: configuration.caFile,
                            connectTimeout: configuration.connectTimeout,
                            sendTimeout: configuration.sendTimeout, threadPool: threadPool)
        logger.info("sending mail over SMTP", metadata: ["smtp.url": "\(url.redacted)", "smtp.starttls": "\(configuration.startTLS.rawValue)",
                                                     "smtp.ca_file": "\(configuration.caFile ?? "system")"])
    } else {
        mailer = OutboxMailer(directory: configuration.outboxDirectory, logger: logger)
        logger.info("AUTH_SMTP_URL is not set: writing mail to the outbox", metadata: ["outbox": "\(configuration.outboxDirectory)"])
    }
    let dispatcher = MailDispatcher(
        queue: database, store: database, mailer: mailer, wakeups: database.jobWakeups, configuration: configuration,
        secretKey: secretKey, clock: clock, random: random, logger: logger)
    return (dispatcher, threadPool)
}
