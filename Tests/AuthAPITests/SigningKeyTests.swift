import Foundation
import Shared
import TestSupport
import Testing

/// ES256, EdDSA and RS256 end to end: resource servers that nobody here wrote (PyJWT's
/// `PyJWKClient`, djangorestframework-simplejwt with `JWK_URL`) verify the tokens from the JWKS
/// alone; rotation with `AuthAPI keys`; algorithm confusion refused.
@Suite("Signing keys and JWKS")
struct SigningKeyTests {
    static let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("clients/resource_server.py").path

    /// Each token verified by PyJWT and by simplejwt: the `user_id` each found, or its error.
    static func resourceServer(_ server: TestServer, algorithm: String, tokens: [String]) async throws -> [(pyjwt: String, simplejwt: String)] {
        let result = try await Process.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", scriptPath, "--jwks", "http://127.0.0.1:\(server.port)/.well-known/jwks.json", "--algorithm", algorithm,
             "--issuer", "swift-auth"],
            environment: ProcessInfo.processInfo.environment, stdin: tokens.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.output)")
        return result.stdout.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return ("\(object["pyjwt"] ?? "-")", "\(object["simplejwt"] ?? "-")")
        }
    }

    static func jwks(_ server: TestServer) async throws -> (keys: [[String: Any]], cacheControl: String?) {
        try await jwks(server.client())
    }

    static func jwks(_ client: HTTPTestClient) async throws -> (keys: [[String: Any]], cacheControl: String?) {
        let response = try await client.send(.get, "/.well-known/jwks.json")
        #expect(response.status == 200)
        return ((response.json["keys"] as? [[String: Any]]) ?? [], response.header("Cache-Control"))
    }

    static func header(_ token: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Base64URL.decode(token.split(separator: ".")[0]) ?? Data()) as? [String: Any] ?? [:]
    }

    /// One client per replica (two on PostgreSQL, one on SQLite).
    static func replicas(_ server: TestServer) -> [HTTPTestClient] {
        server.ports.map { HTTPTestClient(host: server.host, port: $0) }
    }

    /// What a replica may take beyond `AUTH_KEYS_REFRESH` to see a change: its refresh loop
    /// sleeps the interval, then reads the keys, so a read that just missed the change is followed
    /// by a sleep, a wake-up and another read, each slower on a loaded machine.
    static let refreshMargin: Duration = .seconds(1)

    /// Polls each replica until `shows` holds on two requests in a row. The contract (README,
    /// `AUTH_KEYS_REFRESH`) is that every replica sees a change within the interval: so a request
    /// *sent* later than `changed + refresh + refreshMargin` that does not show it fails the test,
    /// however long a loaded machine then took to answer it. The wait's own timeout only ends a
    /// test whose replica never sees the change.
    static func everyReplicaSees(_ what: String, _ server: TestServer, changed: ContinuousClock.Instant, refresh: Duration,
                                 _ shows: (HTTPTestClient) async throws -> Bool) async throws {
        let bound = changed + refresh + refreshMargin
        for replica in replicas(server) {
            var inARow = 0
            var late: [Duration] = []
            var lastUnseen: Duration?
            try await eventually("\(what) on the replica at port \(replica.ports[0])", timeout: refresh * 10 + .seconds(30),
                                 every: .milliseconds(100)) {
                let sent = ContinuousClock.now
                guard try await shows(replica) else {
                    inARow = 0
                    lastUnseen = sent - changed
                    if sent > bound { late.append(sent - changed) }
                    return false
                }
                inARow += 1
                return inARow == 2
            }
            print("KEYS \(what), replica at port \(replica.ports[0]): last request not seeing it sent \(lastUnseen.map { "\($0)" } ?? "never") after the change")
            #expect(late.isEmpty, "\(what): requests sent \(late) after the change did not see it on the replica at port \(replica.ports[0]) (AUTH_KEYS_REFRESH \(refresh) + \(refreshMargin))")
        }
    }

    @Test("Each algorithm: the JWKS has the public key only; PyJWT and simplejwt verify access tokens by it",
          arguments: ["ES256", "EdDSA", "RS256"])
    func thirdPartyVerifiers(algorithm: String) async throws {
        let server = try await TestServer(environment: ["AUTH_JWT_ALGORITHM": algorithm], mode: .live)
        let client = server.client()
        let auth = try await server.verifiedUser("keys-\(algorithm.lowercased())@example.com")
        let id = try #require(auth.json["id"] as? Int)
        let access = try #require(auth["access"])
        let refresh = try #require(auth["refresh"])

        let (keys, cacheControl) = try await Self.jwks(server)
        #expect(cacheControl == "public, max-age=600")
        #expect(keys.count == 1)
        let key = try #require(keys.first)
        #expect(key["alg"] as? String == algorithm && key["use"] as? String == "sig")
        #expect(key["kty"] as? String == ["ES256": "EC", "EdDSA": "OKP", "RS256": "RSA"][algorithm])
        for secret in ["d", "p", "q", "dp", "dq", "qi", "k"] { #expect(key[secret] == nil, "no private member \(secret)") }
        let header = try Self.header(access)
        #expect(header["alg"] as? String == algorithm && header["kid"] as? String == key["kid"] as? String && header["typ"] as? String == "JWT")

        #expect(try await client.get(Path.me, bearer: access).status == 200)
        #expect(try await client.post(Path.verify, ["token": access]).status == 200)
        let rotated = try await client.post(Path.refresh, ["refresh": refresh])
        #expect(rotated.status == 200)
        let newAccess = try #require(rotated["access"])

        let verdicts = try await Self.resourceServer(server, algorithm: algorithm, tokens: [access, newAccess, refresh])
        #expect(verdicts.count == 3)
        #expect(verdicts.first?.pyjwt == "\(id)" && verdicts.first?.simplejwt == "\(id)")
        #expect(verdicts.dropFirst().first?.pyjwt == "\(id)" && verdicts.dropFirst().first?.simplejwt == "\(id)")
        // simplejwt refuses a refresh token where an access token is due, as it does its own.
        #expect(verdicts.last?.simplejwt.hasPrefix("error") == true)
    }

    @Test("Algorithm confusion: HS256 with the public key's bytes, another alg, embedded keys, unknown kid, the HS256 secret")
    func algorithmConfusion() async throws {
        let server = try await TestServer(environment: ["AUTH_JWT_ALGORITHM": "ES256"], mode: .live)
        let client = server.client()
        let auth = try await server.verifiedUser("confusion@example.com")
        let access = try #require(auth["access"])
        let (keys, _) = try await Self.jwks(server)
        let jwk = try JSONSerialization.data(withJSONObject: try #require(keys.first), options: [.sortedKeys])
        let kid = try #require(keys.first?["kid"] as? String)
        let payload = try #require(Base64URL.decode(access.split(separator: ".")[1]))
        let parts = access.split(separator: ".")
        func reheader(_ header: String) -> String {
            Base64URL.encode(Array(header.utf8)) + "." + parts[1] + "." + parts[2]
        }
        let forged = [
            TokenForge.sign(payload, header: #"{"alg":"HS256","kid":"\#(kid)","typ":"JWT"}"#, secret: String(decoding: jwk, as: UTF8.self)),
            TokenForge.sign(payload, header: #"{"alg":"HS256","typ":"JWT"}"#, secret: TestServer.secretKey),
            reheader(#"{"alg":"ES384","kid":"\#(kid)","typ":"JWT"}"#),
            reheader(#"{"alg":"none","kid":"\#(kid)","typ":"JWT"}"#),
            reheader(#"{"alg":"ES256","kid":"\#(kid)","typ":"JWT","jwk":\#(String(decoding: jwk, as: UTF8.self))}"#),
            reheader(#"{"alg":"ES256","kid":"\#(kid)","typ":"JWT","jku":"https://evil.example/jwks.json"}"#),
            reheader(#"{"alg":"ES256","kid":"\#(kid)","typ":"JWT","x5u":"https://evil.example/cert.pem"}"#),
            reheader(#"{"alg":"ES256","kid":"unknown-kid","typ":"JWT"}"#),
            reheader(#"{"alg":"ES256","typ":"JWT"}"#),
        ]
        for token in forged {
            let me = try await client.get(Path.me, bearer: token)
            #expect(me.status == 401 && me.code == "token_not_valid", "\((try? Self.header(token)) ?? [:])")
            let verified = try await client.post(Path.verify, ["token": token])
            #expect(verified.status == 401 && verified.code == "token_not_valid")
        }
        #expect(try await client.get(Path.me, bearer: access).status == 200, "the real token still works")

        // The reverse: under HS256, a token of an asymmetric key is refused.
        let hs = try await TestServer(mode: .live)
        #expect(try await hs.client().get(Path.me, bearer: access).status == 401)
        #expect(try await Self.jwks(hs).keys.isEmpty)
    }

    @Test("Rotation: generate (published), activate (refused while young, --force), previous verifies, revoke ends it")
    func rotation() async throws {
        let refresh = Duration.seconds(1)
        let server = try await TestServer(environment: ["AUTH_JWT_ALGORITHM": "EdDSA", "AUTH_KEYS_REFRESH": "\(refresh.components.seconds)"], mode: .live)
        let client = server.client()
        let auth = try await server.verifiedUser("rotation@example.com")
        let id = try #require(auth.json["id"] as? Int)
        let oldAccess = try #require(auth["access"])
        let oldKid = try #require(try Self.header(oldAccess)["kid"] as? String)

        let generated = try await TestServer.run(["keys", "generate"], environment: server.environment)
        let generatedAt = ContinuousClock.now
        #expect(generated.status == 0, "\(generated.output)")
        let newKid = generated.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!newKid.isEmpty && newKid != oldKid)
        // Published by every replica within AUTH_KEYS_REFRESH, before it signs anything.
        try await Self.everyReplicaSees("the new key published", server, changed: generatedAt, refresh: refresh) { replica in
            try await Self.jwks(replica).keys.compactMap { $0["kid"] as? String } == [oldKid, newKid]
        }
        let beforeActivation = try #require(try await server.client().post(Path.login, ["email": "rotation@example.com", "password": TestServer.password])["access"])
        #expect(try Self.header(beforeActivation)["kid"] as? String == oldKid)

        let young = try await TestServer.run(["keys", "activate", newKid], environment: server.environment)
        #expect(young.status != 0 && young.output.contains("AUTH_JWKS_MAX_AGE"), "\(young.output)")
        let current = try await TestServer.run(["keys", "revoke", oldKid], environment: server.environment)
        #expect(current.status != 0 && current.output.contains("current signing key"), "\(current.output)")
        let forced = try await TestServer.run(["keys", "activate", newKid, "--force"], environment: server.environment)
        let activatedAt = ContinuousClock.now
        #expect(forced.status == 0, "\(forced.output)")
        let list = try await TestServer.run(["keys", "list", "--json"], environment: server.environment)
        let states = try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]] ?? []
        #expect(Dictionary(uniqueKeysWithValues: states.compactMap { row in (row["kid"] as? String).map { ($0, row["state"] as? String ?? "") } })
                == [oldKid: "previous", newKid: "current"])

        // New tokens name the new key on every replica within AUTH_KEYS_REFRESH; the old token still verifies (previous).
        try await Self.everyReplicaSees("the new key signing", server, changed: activatedAt, refresh: refresh) { replica in
            let login = try await replica.post(Path.login, ["email": "rotation@example.com", "password": TestServer.password])
            return try Self.header(try #require(login["access"]))["kid"] as? String == newKid
        }
        for replica in Self.replicas(server) {
            #expect(try await replica.get(Path.me, bearer: oldAccess).status == 200)
        }
        let newAccess = try #require(try await server.client().post(Path.login, ["email": "rotation@example.com", "password": TestServer.password])["access"])
        #expect(try await client.get(Path.me, bearer: oldAccess).status == 200)
        let verdicts = try await Self.resourceServer(server, algorithm: "EdDSA", tokens: [oldAccess, newAccess])
        #expect(verdicts.map(\.pyjwt) == ["\(id)", "\(id)"] && verdicts.map(\.simplejwt) == ["\(id)", "\(id)"])

        // Revoked: refused everywhere within AUTH_KEYS_REFRESH, and no longer published.
        let revoked = try await TestServer.run(["keys", "revoke", oldKid], environment: server.environment)
        let revokedAt = ContinuousClock.now
        #expect(revoked.status == 0, "\(revoked.output)")
        // Each replica on its own (two on PostgreSQL): the revocation holds within AUTH_KEYS_REFRESH on every one.
        try await Self.everyReplicaSees("the old key refused", server, changed: revokedAt, refresh: refresh) { replica in
            try await replica.get(Path.me, bearer: oldAccess).status == 401
        }
        for replica in Self.replicas(server) {
            #expect(try await replica.post(Path.verify, ["token": oldAccess]).status == 401)
            #expect(try await replica.get(Path.me, bearer: newAccess).status == 200)
            #expect(try await Self.jwks(replica).keys.compactMap { $0["kid"] as? String } == [newKid])
        }
        #expect(try await client.get(Path.me, bearer: newAccess).status == 200)
        let after = try await Self.resourceServer(server, algorithm: "EdDSA", tokens: [oldAccess])
        #expect(after.first?.pyjwt.hasPrefix("error") == true && after.first?.simplejwt.hasPrefix("error") == true)
        let again = try await TestServer.run(["keys", "revoke", oldKid], environment: server.environment)
        #expect(again.status != 0 && again.output.contains("already revoked"))
        let unknown = try await TestServer.run(["keys", "activate", "no-such-kid"], environment: server.environment)
        #expect(unknown.status != 0 && unknown.output.contains("no key with kid"))
    }

    @Test("keys: help texts, and clear refusals under HS256 or for another algorithm's key")
    func commandLine() async throws {
        let server = try await TestServer(mode: .live)
        for command in [["keys", "--help"], ["keys", "activate", "--help"], ["keys", "revoke", "--help"], ["keys", "list", "--help"]] {
            let help = try await TestServer.run(command, environment: server.environment)
            #expect(help.status == 0 && help.output.contains("USAGE"), "\(command)")
        }
        let overview = try await TestServer.run(["keys", "--help"], environment: server.environment)
        #expect(overview.output.contains("AUTH_JWKS_MAX_AGE") && overview.output.contains("standby"))
        let hs = try await TestServer.run(["keys", "generate"], environment: server.environment)
        #expect(hs.status != 0 && hs.output.contains("HS256"), "\(hs.output)")
        #expect(try await TestServer.run(["keys", "list"], environment: server.environment).output.contains("No signing keys"))

        // An ES256 key cannot be activated once AUTH_JWT_ALGORITHM says EdDSA, and serve says why it will not start.
        var es = server.environment
        es["AUTH_JWT_ALGORITHM"] = "ES256"
        let made = try await TestServer.run(["keys", "generate"], environment: es)
        let kid = made.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await TestServer.run(["keys", "activate", kid, "--force"], environment: es).status == 0)
        var ed = server.environment
        ed["AUTH_JWT_ALGORITHM"] = "EdDSA"
        let wrong = try await TestServer.run(["keys", "activate", kid, "--force"], environment: ed)
        #expect(wrong.status != 0 && wrong.output.contains("ES256"), "\(wrong.output)")
        let serve = try await TestServer.run(["serve"], environment: ed)
        #expect(serve.status == 1 && serve.output.contains("is an ES256 key, but AUTH_JWT_ALGORITHM is EdDSA"), "\(serve.output)")
        var bad = server.environment
        bad["AUTH_JWT_ALGORITHM"] = "PS256"
        let refused = try await TestServer.run(["keys", "list"], environment: bad)
        #expect(refused.status == 2 && refused.output.contains("AUTH_JWT_ALGORITHM"))

        // The OpenID Provider's keys: --alg RS256 only with the provider on; list --json names each key's alg.
        let noProvider = try await TestServer.run(["keys", "generate", "--alg", "RS256"], environment: es)
        #expect(noProvider.status != 0 && noProvider.output.contains("RS256"), "\(noProvider.output)")
        var op = es
        op["AUTH_OIDC_ISSUER"] = "http://127.0.0.1:9"
        let rs = try await TestServer.run(["keys", "generate", "--alg", "RS256"], environment: op)
        #expect(rs.status == 0, "\(rs.output)")
        let rsKid = rs.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await TestServer.run(["keys", "list", "--json"], environment: op)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
        let algs = Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["kid"] as? String).map { ($0, row["alg"] as? String) } })
        #expect(algs[rsKid] == "RS256" && algs[kid] == "ES256", "\(listed.output)")
        // One current key per algorithm: activating the RS256 key leaves the ES256 key current.
        #expect(try await TestServer.run(["keys", "activate", rsKid, "--force"], environment: op).status == 0)
        let states = try await TestServer.run(["keys", "list"], environment: op).output
        #expect(states.contains("\(kid)  ES256  current") && states.contains("\(rsKid)  RS256  current"), "\(states)")
    }
}
