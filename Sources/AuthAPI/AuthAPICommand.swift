import ArgumentParser
import NIOCore
import NIOPosix
import Shared

/// The API process: `serve` (default), `migrate`, `createsuperuser`.
@main
struct AuthAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AuthAPI",
        abstract: "E-mail + password authentication API (JWT access/refresh tokens, e-mail verification).",
        discussion: "Configured by AUTH_* environment variables; see README.md for the table.",
        subcommands: [ServeCommand.self, MigrateCommand.self, CreateSuperuserCommand.self, KeysCommand.self, ClientsCommand.self, ImportDjangoCommand.self],
        defaultSubcommand: ServeCommand.self)

    static func main() async {
        ProcessSetup.prepare()
        // Swift tasks run on the server's own event loops (Hummingbird uses the singleton
        // group), so a handler does not hop to the dispatch pool and back for every request:
        // +35 % on GET me (BENCHMARKS.md). What blocks stays off them: Argon2 runs on
        // NIOThreadPool, SQLite writes on GRDB's writer queue; only a single indexed read runs
        // in place (microseconds). Before anything starts a task; the API process only.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
