import ArgumentParser
import Foundation
import Shared

struct CreateSuperuserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "createsuperuser",
        abstract: "Create a staff, verified, active superuser.",
        discussion: """
            The password is read from AUTH_SUPERUSER_PASSWORD (taken as given) or, if unset, from the first line of
            standard input (checked by the password validators); a second line, if present, must repeat it.
            Exits non-zero if the address is taken or the password is refused.
            """)

    @Option(help: "E-mail address of the new superuser.")
    var email: String

    func run() async throws {
        let configuration = try CommandSupport.configuration()
        let (password, fromEnvironment) = readPassword()
        let normalized = EmailAddress.normalize(email)
        guard EmailAddress.isValid(normalized) else { Startup.fail("Error: Enter a valid email address.") }
        // Like Django's createsuperuser: a typed password must pass the validators; one from the
        // environment (non-interactive set-up) is taken as given.
        if !fromEnvironment {
            let problems = PasswordValidator().problems(password, attributes: .init(email: normalized))
            guard problems.isEmpty else { Startup.fail("Error: " + problems.joined(separator: " ")) }
        }
        try await Startup.withDatabase(configuration.common, requireMigrated: true, logger: Startup.logger(label: "AuthAPI")) { database in
            let manager = UserManager(
                store: database, hasher: Argon2idHasher(parameters: configuration.common.argon2, random: SecureRandom()),
                clock: SystemClock())
            guard case .inserted(let user) = try await manager.createSuperuser(email: normalized, password: password) else {
                Startup.fail("Error: That email address is already taken.")
            }
            print("Superuser \(user.email) created (id \(user.id ?? 0)).")
        }
    }

    private func readPassword() -> (String, fromEnvironment: Bool) {
        if let fromEnv = ProcessInfo.processInfo.environment["AUTH_SUPERUSER_PASSWORD"], !fromEnv.isEmpty {
            return (fromEnv, true)
        }
        guard let first = readLine(strippingNewline: true), !first.isEmpty else {
            Startup.fail("Error: no password: set AUTH_SUPERUSER_PASSWORD or write it on standard input.")
        }
        if let confirmation = readLine(strippingNewline: true), !confirmation.isEmpty, confirmation != first {
            Startup.fail("Error: Your passwords didn't match.")
        }
        return (first, false)
    }
}
