import ArgumentParser
import Foundation
import Shared

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Job counts by state, the age of the oldest queued job, and dead jobs with their last error.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        let configuration = WorkerSupport.configuration()
        let status = try await Startup.withDatabase(configuration.common, requireMigrated: true, logger: Startup.logger(label: "MailWorker")) {
            try await $0.status(now: Date())
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        print("state     jobs")
        for (name, count) in [("queued", status.queued), ("running", status.running), ("done", status.done), ("dead", status.dead)] {
            print(name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(count))
        }
        if let age = status.oldestQueuedAgeSeconds {
            print("oldest queued job: \(Int(age)) s old")
        }
        if !status.deadJobs.isEmpty {
            print("\ndead jobs (requeue with `MailWorker requeue-dead [--id N]`):")
            print("id      kind                  attempts  last error")
            for job in status.deadJobs {
                print(String(job.id).padding(toLength: 8, withPad: " ", startingAt: 0)
                      + job.kind.padding(toLength: 22, withPad: " ", startingAt: 0)
                      + String(job.attempts).padding(toLength: 10, withPad: " ", startingAt: 0)
                      + (job.lastError ?? ""))
            }
        }
    }
}
