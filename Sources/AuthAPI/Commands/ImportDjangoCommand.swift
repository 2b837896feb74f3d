import ArgumentParser
import Foundation
import Shared

struct ImportDjangoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-django",
        abstract: "Import the users of a Django project from `manage.py dumpdata` output.",
        discussion: """
            FILE is the JSON that `python manage.py dumpdata <app>.<User model> --indent 2` writes, for a user model with an
            e-mail field (a custom model, or auth.User). Ids, e-mail, names, is_active, is_staff, is_superuser, is_verified
            (absent: true), date_joined and last_login are kept; the id sequence continues after the largest id.
            Django's pbkdf2_sha256, argon2 and bcrypt_sha256 hashes verify at login and are replaced by Argon2id on the
            first successful one; unusable passwords (!…) never verify.
            Every record is checked first: an invalid or duplicate address, or an id or address that already has an
            account, is reported with its line and nothing is imported (exit 1).
            """)

    @Argument(help: "The dumpdata JSON file.")
    var file: String

    func run() async throws {
        let configuration = try CommandSupport.configuration()
        guard let data = FileManager.default.contents(atPath: file) else { Startup.fail("Error: cannot read \(file).") }
        // A refusal is reported once the database is closed.
        let refusal: String? = try await Startup.withDatabase(
            configuration.common, requireMigrated: true, logger: Startup.logger(label: "AuthAPI")
        ) { database in
            do {
                let report = try await DjangoUserImport(store: database).run(file: Array(data))
                print("Imported \(report.imported) user\(report.imported == 1 ? "" : "s") from \(file); the next id is \(report.nextId).")
                if report.unusablePasswords > 0 {
                    print("\(report.unusablePasswords) with an unusable password: they sign in after a password reset.")
                }
                if report.unsupportedHashes > 0 {
                    print("\(report.unsupportedHashes) with a password hash of another hasher: they sign in after a password reset.")
                }
                return nil
            } catch DjangoUserImport.Failure.unreadable(let message) {
                return "Error: \(file): \(message). Nothing was imported."
            } catch DjangoUserImport.Failure.refused(let problems) {
                let lines = problems.prefix(100).map { "\(file):\($0.line): \($0.message)" }
                let more = problems.count > 100 ? ["… and \(problems.count - 100) more"] : []
                return (lines + more + ["Error: \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was imported."])
                    .joined(separator: "\n")
            } catch DjangoUserImport.Failure.takenMeanwhile {
                return "Error: an id or address was taken while importing; nothing was imported. Run the import again."
            }
        }
        if let refusal { Startup.fail(refusal) }
    }
}
