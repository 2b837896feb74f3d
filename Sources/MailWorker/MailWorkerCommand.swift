import ArgumentParser
import Shared

/// The mail worker process: `run` (default), `status`, `requeue-dead`.
@main
struct MailWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "MailWorker",
        abstract: "Sends the mail that the API queues: verification codes and notices, over SMTP or into queue/outbox/.",
        discussion: "Configured by AUTH_* environment variables (the same as AuthAPI's); see README.md.",
        subcommands: [RunCommand.self, StatusCommand.self, RequeueDeadCommand.self],
        defaultSubcommand: RunCommand.self)

    static func main() async {
        ProcessSetup.prepare()
        await main(nil)
    }
}
