import ArgumentParser

/// The mail worker process. Placeholder until the worker issue: the queue is written by the
/// API already; this executable will claim jobs, generate codes and send over SMTP.
@main
struct MailWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "MailWorker",
        abstract: "Sends queued mail (not implemented yet: jobs accumulate in the queue table).")

    func run() async throws {
        print("MailWorker: not implemented yet; queued mail stays in the database until it is.")
    }
}
