import Foundation
import Hummingbird
import Shared

/// Measuring sticks for `make bench`, not part of the product:
/// `HelloBench serve PORT` — the framework ceiling, a Hummingbird route answering "ok";
/// `HelloBench hash N [reference]` — the hash ceiling, the mean time of one Argon2id hash with
/// the configured `AUTH_ARGON2_*` parameters, in milliseconds, as the service computes it
/// (libsodium at one lane) or, with `reference`, by libargon2's portable code.
@main
struct HelloBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        switch arguments.dropFirst().first {
        case "serve":
            let port = arguments.count > 2 ? Int(arguments[2]) ?? 8080 : 8080
            let router = Router()
            router.get("/hello") { _, _ in "ok" }
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                onServerRunning: { _ in FileHandle.standardOutput.write(Data("HelloBench listening on \(port)\n".utf8)) })
            try await app.runService()
        case "hash":
            // hash N [reference] [threads T]: T threads of this process hash N times each at
            // once, as the service's hashing threads do; prints the mean wall time per hash of
            // one thread, so T / that time is what T cores reach together.
            var rest = Array(arguments.dropFirst(2))
            var threads = 1
            if let at = rest.firstIndex(of: "threads"), at + 1 < rest.count, let t = Int(rest[at + 1]), t > 0 {
                threads = t
                rest.removeSubrange(at...(at + 1))
            }
            let count = rest.first.flatMap { Int($0) } ?? 20
            let configuration = try APIConfiguration.fromEnvironment()
            let salt = SecureRandom().bytes(Argon2idHasher.saltLength)
            let hash = rest.contains("reference") ? Argon2idHasher.referenceHash : Argon2idHasher.hashSync
            _ = try hash("warm-up", salt, configuration.common.argon2)
            let start = ContinuousClock.now
            let done = DispatchGroup()
            for t in 0..<threads {
                done.enter()
                Thread.detachNewThread {
                    for i in 0..<count { _ = try? hash("password \(t) \(i)", salt, configuration.common.argon2) }
                    done.leave()
                }
            }
            done.wait()
            let elapsed = ContinuousClock.now - start
            let ms = (Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15) / Double(count)
            print(String(format: "%.3f", ms))
        default:
            FileHandle.standardError.write(Data("usage: HelloBench serve PORT | HelloBench hash N [reference] [threads T]\n".utf8))
            exit(2)
        }
    }
}
