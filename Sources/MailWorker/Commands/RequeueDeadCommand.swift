import ArgumentParser
import Foundation
import Shared

struct RequeueDeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue-dead",
        abstract: "Put dead jobs back in the queue with a fresh attempt count: all of them, or one with --id.")

    @Option(help: "Only the job with this id.")
    var id: Int64?

    func run() async throws {
        let configuration = WorkerSupport.configuration()
        let count = try await Startup.withDatabase(configuration.common, requireMigrated: true, logger: Startup.logger(label: "MailWorker")) {
            try await $0.requeueDead(id: id, now: Date())
        }
        if let id, count == 0 { Startup.fail("no dead job with id \(id)") }
        print("requeued \(count) job\(count == 1 ? "" : "s")")
    }
}
