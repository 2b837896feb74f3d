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
            let count = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20
            let configuration = try APIConfiguration.fromEnvironment()
            let salt = SecureRandom().bytes(Argon2idHasher.saltLength)
            let hash = arguments.count > 3 && arguments[3] == "reference"
                ? Argon2idHasher.referenceHash : Argon2idHasher.hashSync
            _ = try hash("warm-up", salt, configuration.common.argon2)
            let start = ContinuousClock.now
            for i in 0..<count {
                _ = try hash("password \(i)", salt, configuration.common.argon2)
            }
            let elapsed = ContinuousClock.now - start
            let ms = (Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15) / Double(count)
            print(String(format: "%.3f", ms))
        default:
            FileHandle.standardError.write(Data("usage: HelloBench serve PORT | HelloBench hash N [reference]\n".utf8))
            exit(2)
        }
    }
}
