import ArgumentParser
import Foundation
import Logging
import Shared

/// `AuthAPI clients …`: the OpenID Provider's clients from the command line, with the same
/// rules as `/api/admin/clients/` (`ClientRegistration`); audited without an actor.
struct ClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Create, list, rotate the secret of, and delete the OpenID Provider's clients.",
        discussion: """
            A confidential client gets a secret, shown once (at creation and at rotation) and stored only as a keyed hash; a
            public client (--public) has none and always uses PKCE. Redirect URIs are compared exactly: https://, http:// on a
            loopback host, or (public clients) a private-use scheme with a dot such as com.example.app:/cb.
            """,
        subcommands: [Create.self, List.self, RotateSecret.self, Delete.self])

    /// Runs `body` with the client management on the configured database (closed when `body` returns).
    static func withClients<T>(_ body: (ClientManagement) async throws -> T) async throws -> T {
        let configuration = try CommandSupport.configuration()
        let secretKey = CommandSupport.secretKey(configuration)
        let logger = Startup.logger(label: "AuthAPI")
        return try await Startup.withDatabase(configuration.common, requireMigrated: true, logger: logger) { database in
            try await body(ClientManagement(
                store: database, secrets: ClientSecrets(secretKey: secretKey, random: SecureRandom()),
                audit: AuditLog(store: database, clock: SystemClock(), logger: logger), clock: SystemClock()))
        }
    }

    /// A refusal of the rules or an unknown client: one line on standard error, exit non-zero.
    static func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch AuthError.fields(let errors) {
            Startup.fail(errors.messages.sorted { $0.key < $1.key }.map { "error: \($0.key): \($0.value.joined(separator: " "))" }
                .joined(separator: "\n"))
        } catch AuthError.notFound {
            Startup.fail("error: no such client")
        } catch AuthError.publicClient {
            Startup.fail("error: a public client has no secret")
        }
    }

    static func printJSON(_ body: some JSONBody) throws {
        print(String(decoding: try body.jsonBytes(), as: UTF8.self))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a client; prints client_id and (confidential) client_secret, shown only now.")

        @Option(help: "The client's name, shown on the consent page (1 to 100 characters).")
        var name: String
        @Option(name: .customLong("redirect-uri"), help: "A redirect URI (repeat for several; at least one).")
        var redirectURIs: [String] = []
        @Option(name: .customLong("post-logout-redirect-uri"), help: "A post-logout redirect URI (repeat for several).")
        var postLogoutRedirectURIs: [String] = []
        @Flag(name: .customLong("public"), help: "A public client: no secret, PKCE always.")
        var isPublic = false
        @Flag(name: .customLong("first-party"), help: "Never ask for consent.")
        var firstParty = false
        @Flag(name: .customLong("no-require-pkce"), help: "Confidential clients only: allow requests without PKCE (they must send a nonce).")
        var noRequirePKCE = false
        @Flag(help: "Print the client and its secret as one JSON object.")
        var json = false

        func run() async throws {
            let (client, secret) = try await ClientsCommand.refusing {
                let registration = try ClientRegistration(
                    name: name.trimmingCharacters(in: .whitespacesAndNewlines), redirectURIs: redirectURIs,
                    postLogoutRedirectURIs: postLogoutRedirectURIs, isPublic: isPublic, firstParty: firstParty,
                    requirePKCE: !noRequirePKCE)
                return try await ClientsCommand.withClients { try await $0.create(registration, by: nil, client: nil) }
            }
            if json {
                try ClientsCommand.printJSON(ClientResponse(client, secret: secret))
                return
            }
            print("client_id: \(client.clientId)")
            if let secret { print("client_secret: \(secret)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every client, oldest first: id, name, public or confidential.")

        @Flag(help: "One JSON array of clients (never a secret).")
        var json = false

        func run() async throws {
            let clients = try await ClientsCommand.withClients { try await $0.all() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(clients.map { ClientResponse($0) }), as: UTF8.self))
                return
            }
            if clients.isEmpty { print("No clients.") }
            for client in clients {
                print("\(client.clientId)  \(client.name)  \(client.isPublic ? "public" : "confidential")")
            }
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "A new secret for a confidential client; the old one stops at once.")

        @Argument(help: "The client_id.")
        var id: String
        @Flag(help: "Print {\"client_id\", \"client_secret\"}.")
        var json = false

        func run() async throws {
            let (client, secret) = try await ClientsCommand.refusing {
                try await ClientsCommand.withClients { try await $0.rotateSecret(id: id, by: nil, client: nil) }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(["client_id": client.clientId, "client_secret": secret]), as: UTF8.self))
                return
            }
            print("client_secret: \(secret)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a client: its codes, grants and tokens stop working.")

        @Argument(help: "The client_id.")
        var id: String

        func run() async throws {
            try await ClientsCommand.refusing {
                try await ClientsCommand.withClients { try await $0.delete(id: id, by: nil, client: nil) }
            }
            print("\(id) is deleted.")
        }
    }
}
