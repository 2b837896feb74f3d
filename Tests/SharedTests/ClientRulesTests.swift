import Foundation
import Testing
@testable import Shared

/// The contract's rules for registering a client, and its secrets: checked without a database.
@Suite("Client registration rules and secrets")
struct ClientRulesTests {
    @Test("Redirect URIs: https, http on loopback, private-use schemes for public clients only; no fragment")
    func redirectURIs() {
        for uri in ["https://app.example.com/cb", "https://app.example.com:8443/cb?tenant=1", "http://localhost:3000/cb",
                    "http://127.0.0.1/cb", "http://[::1]:8080/cb"] {
            #expect(RedirectURI.problem(uri, isPublic: false) == nil, "\(uri)")
            #expect(RedirectURI.problem(uri, isPublic: true) == nil, "\(uri)")
        }
        #expect(RedirectURI.problem("com.example.app:/cb", isPublic: true) == nil)
        #expect(RedirectURI.problem("com.example.app:/cb", isPublic: false) != nil, "a private-use scheme for a public client only")
        for uri in ["http://app.example.com/cb", "https://app.example.com/cb#frag", "/cb", "app.example.com/cb", "myapp:/cb",
                    "javascript:alert(1)", "https:///cb", "https://app.example.com/c b", "", "https://" + String(repeating: "a", count: 2000)] {
            #expect(RedirectURI.problem(uri, isPublic: true) != nil, "\(uri)")
        }
    }

    /// The field errors `body` throws, or nil when it throws none.
    static func fieldErrors(_ body: () throws -> Void) -> FieldErrors? {
        do {
            try body()
            return nil
        } catch {
            guard let refusal = error as? AuthError, case .fields(let errors) = refusal else { return nil }
            return errors
        }
    }

    @Test("Registration: every problem at once; a public client always requires PKCE")
    func registration() throws {
        let all = Self.fieldErrors { _ = try ClientRegistration(name: "", redirectURIs: [], isPublic: true, requirePKCE: false) }
        #expect(Set(all?.messages.keys ?? [:].keys) == ["name", "redirect_uris", "require_pkce"])
        let notList = Self.fieldErrors {
            _ = try ClientRegistration(json: ["name": .string("A"), "redirect_uris": .string("https://a.example/cb")])
        }
        #expect(notList?["redirect_uris"] == [#"Expected a list of items but got type "str"."#])
        let made = try ClientRegistration(json: ["name": .string(" Grafana "), "redirect_uris": .array([.string("https://g.example/login")])])
        #expect(made.name == "Grafana" && !made.isPublic && made.requirePKCE && !made.firstParty)
        let noPKCE = try ClientRegistration(name: "Old RP", redirectURIs: ["https://old.example/cb"], requirePKCE: false)
        #expect(!noPKCE.requirePKCE)
    }

    @Test("A change is checked against the client it changes")
    func change() throws {
        let client = OAuthClient(clientId: "c", name: "App", redirectURIs: ["com.example.app:/cb"], isPublic: true, createdAt: Date())
        #expect(throws: AuthError.self) { try ClientChange(requirePKCE: false).applied(to: client) }
        let renamed = try ClientChange(name: "New", redirectURIs: ["com.example.app:/other"]).applied(to: client)
        #expect(renamed.name == "New" && renamed.redirectURIs == ["com.example.app:/other"] && renamed.isPublic)
        var confidential = client
        confidential.isPublic = false
        #expect(throws: AuthError.self) { try ClientChange(redirectURIs: ["com.example.app:/cb"]).applied(to: confidential) }
    }

    @Test("Secrets: random ids and secrets of the contract's length, a keyed hash bound to the client, checked in constant time")
    func secrets() {
        let secrets = ClientSecrets(secretKey: "k" + String(repeating: "x", count: 40), random: SecureRandom())
        let id = secrets.newClientId()
        let secret = secrets.newSecret()
        #expect(id.count >= 22 && secret.count >= 43)
        #expect((id + secret).utf8.allSatisfy(Base64URL.isAlphabet))
        #expect(secrets.newClientId() != id && secrets.newSecret() != secret)
        let hash = secrets.hash(secret, clientId: id)
        let client = OAuthClient(clientId: id, name: "x", redirectURIs: [], isPublic: false, createdAt: Date(), secretHash: hash)
        #expect(secrets.matches(secret, client: client))
        #expect(!secrets.matches(secret + "x", client: client))
        var other = client
        other.clientId = "another"
        #expect(!secrets.matches(secret, client: other), "the hash is bound to its client")
        let otherKey = ClientSecrets(secretKey: "another secret key of enough length here", random: SecureRandom())
        #expect(!otherKey.matches(secret, client: client), "useless without the service's secret key")
        #expect(!hash.contains(Data(secret.utf8)))
    }

    /// Random bytes from a script: each call takes the next list.
    final class ScriptedRandom: RandomSource, @unchecked Sendable {
        var draws: [[UInt8]]
        init(_ draws: [[UInt8]]) { self.draws = draws }
        func bytes(_ count: Int) -> [UInt8] { Array(draws.removeFirst().prefix(count)) }
        func uniform(below upperBound: Int) -> Int { 0 }
    }

    @Test("Ids and secrets never begin with - or _ (a command line would read them as options): such a draw is redrawn")
    func noLeadingDash() {
        // 0xF8 encodes to "-" first, 0xFC to "_" first, 0x00 to "A".
        let random = ScriptedRandom([[UInt8](repeating: 0xF8, count: 32), [UInt8](repeating: 0xFC, count: 32), [UInt8](repeating: 0, count: 32)])
        let secrets = ClientSecrets(secretKey: String(repeating: "k", count: 40), random: random)
        #expect(secrets.newClientId() == String(repeating: "A", count: 24))
        #expect(random.draws.isEmpty, "both bad draws were redrawn")
    }
}
