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
        subcommands: [ServeCommand.self, MigrateCommand.self, CreateSuperuserCommand.self],
        defaultSubcommand: ServeCommand.self)

    static func main() async {
        ProcessSetup.prepare()
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
