import ArgumentParser
import Foundation
import Shared

/// `AuthAPI keys …`: the signing keys of ES256, EdDSA and RS256 (see README "Key rotation").
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List, generate, activate and revoke the signing keys (AUTH_JWT_ALGORITHM ES256, EdDSA or RS256; RS256 for the OpenID Provider).",
        discussion: """
            States: standby (published in /.well-known/jwks.json, not signing) -> current (signs new tokens; exactly one) ->
            previous (its tokens still verify until they expire) -> revoked (neither published nor accepted); one current key per
            algorithm (the OpenID Provider signs RS256 whatever AUTH_JWT_ALGORITHM is). Every API process
            sees a change within AUTH_KEYS_REFRESH seconds. Safe rotation: keys generate; wait at least AUTH_JWKS_MAX_AGE;
            keys activate KID; wait at least AUTH_REFRESH_TTL; keys revoke OLD-KID.
            """,
        subcommands: [List.self, Generate.self, Activate.self, Revoke.self])

    /// Runs `body` with the key management of the configured algorithm, on the configured
    /// database (closed when `body` returns).
    static func withManagement<T>(_ body: (KeyManagement) async throws -> T) async throws -> T {
        let configuration = try CommandSupport.configuration()
        let secretKey = CommandSupport.secretKey(configuration)
        return try await Startup.withDatabase(configuration.common, requireMigrated: true, logger: Startup.logger(label: "AuthAPI")) { database in
            try await body(KeyManagement(
                store: database, sealer: KeySealer(secretKey: secretKey), algorithm: configuration.jwtAlgorithm,
                providerAlgorithm: configuration.provider == nil ? nil : .rs256, jwksMaxAge: TimeInterval(configuration.jwksMaxAge), clock: SystemClock()))
        }
    }

    static func report(_ change: KeyChange, done: String) -> Never {
        switch change {
        case .done:
            print(done)
            Foundation.exit(0)
        case .refused(let reason):
            Startup.fail("refused: \(reason)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every signing key: kid, algorithm, state and dates, newest first.")

        @Flag(help: "One JSON array, for scripts: kid, alg (and algorithm, the same), state, created_at, activated_at, retired_at, revoked_at.")
        var json = false

        func run() async throws {
            let keys = try await KeysCommand.withManagement { try await $0.list() }
            if json {
                let rows: [[String: String?]] = keys.map { key in
                    ["kid": key.kid, "alg": key.algorithm.rawValue, "algorithm": key.algorithm.rawValue, "state": key.state.rawValue,
                     "created_at": ISO8601Text.string(key.createdAt), "activated_at": key.activatedAt.map(ISO8601Text.string),
                     "retired_at": key.retiredAt.map(ISO8601Text.string), "revoked_at": key.revokedAt.map(ISO8601Text.string)]
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(rows), as: UTF8.self))
                return
            }
            if keys.isEmpty {
                print("No signing keys.")
                return
            }
            for key in keys {
                var line = "\(key.kid)  \(key.algorithm.rawValue)  \(key.state.rawValue)  created \(ISO8601Text.string(key.createdAt))"
                if let at = key.activatedAt { line += "  activated \(ISO8601Text.string(at))" }
                if let at = key.retiredAt { line += "  retired \(ISO8601Text.string(at))" }
                if let at = key.revokedAt { line += "  revoked \(ISO8601Text.string(at))" }
                print(line)
            }
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a standby key of AUTH_JWT_ALGORITHM: published at once, signing only once activated.",
            discussion: "Prints the new key's kid. --alg RS256 adds a standby key for the OpenID Provider's tokens (AUTH_OIDC_ISSUER set).")

        @Option(name: .customLong("alg"), help: "The key's algorithm: AUTH_JWT_ALGORITHM's (the default), or RS256 with the OpenID Provider on.")
        var algorithm: String?

        func run() async throws {
            var requested: SigningAlgorithm?
            if let algorithm {
                guard let named = SigningAlgorithm.allCases.first(where: { $0.rawValue.lowercased() == algorithm.lowercased() }) else {
                    Startup.fail("error: --alg \(algorithm): expected one of ES256, EdDSA, RS256")
                }
                requested = named
            }
            do {
                let key = try await KeysCommand.withManagement { try await $0.generate(algorithm: requested) }
                print(key.kid)
            } catch let error as KeyError {
                Startup.fail("refused: \(error)")
            }
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a standby key the current signing key; the current one becomes previous.",
            discussion: """
                Refused for a key that is not standby, and for one published for less than AUTH_JWKS_MAX_AGE seconds (resource
                servers may still hold a cached JWKS without it) unless --force.
                """)

        @Argument(help: "The kid of a standby key.")
        var kid: String

        @Flag(help: "Activate even if the key was published less than AUTH_JWKS_MAX_AGE seconds ago.")
        var force = false

        func run() async throws {
            let change = try await KeysCommand.withManagement { try await $0.activate(kid: kid, force: force) }
            if case .done(let previous?) = change {
                KeysCommand.report(change, done: "\(kid) is current; \(previous) is previous.")
            }
            KeysCommand.report(change, done: "\(kid) is current.")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a standby or previous key: no longer published, its tokens refused.",
            discussion: "The current key cannot be revoked: activate another key first.")

        @Argument(help: "The kid of a standby or previous key.")
        var kid: String

        func run() async throws {
            let change = try await KeysCommand.withManagement { try await $0.revoke(kid: kid) }
            KeysCommand.report(change, done: "\(kid) is revoked.")
        }
    }
}
