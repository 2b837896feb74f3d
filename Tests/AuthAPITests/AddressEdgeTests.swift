import Foundation
import Testing

/// Invisible and formatting characters at the edges of an address are refused on every endpoint
/// that takes one; only white space is trimmed.
@Suite("Addresses with invisible characters at their edges")
struct AddressEdgeTests {
    static let invisibles = ["\u{200B}", "\u{FEFF}", "\u{2060}", "\u{180E}", "\u{00AD}", "\u{200D}", "\u{202E}"]

    @Test("Signup refuses them at either edge and creates nothing; white space around is trimmed")
    func signup() async throws {
        let server = try await TestServer()
        let client = server.client()
        for invisible in Self.invisibles {
            for email in [invisible + "edge@example.com", "edge@example.com" + invisible] {
                let r = try await client.post(Path.signup, ["email": email, "password": TestServer.password])
                #expect(r.status == 400, "\(email.debugDescription)")
                #expect(r.fieldErrors("email") == ["Enter a valid email address."], "\(email.debugDescription)")
            }
        }
        #expect(try await server.withDatabase { try await $0.user(emailKey: "edge@example.com") } == nil)
        // Unicode white space (here NBSP and an ideographic space) is trimmed, as Django strips it.
        let spaced = try await client.post(Path.signup, ["email": "\u{00A0}Edge@Example.COM\u{3000}", "password": TestServer.password])
        #expect(spaced.status == 201 && spaced["email"] == "Edge@example.com")
    }

    @Test("Every other endpoint that takes an address refuses them too")
    func otherEndpoints() async throws {
        let server = try await TestServer()
        let client = server.client()
        let auth = try await server.verifiedUser("owner@example.com")
        let access = try #require(auth["access"])
        for invisible in ["\u{200B}", "\u{FEFF}", "\u{2060}", "\u{180E}"] {
            for email in [invisible + "owner@example.com", "owner@example.com" + invisible] {
                let shown = email.debugDescription
                // Login: not the owner's account (the address is invalid, so no account has it).
                let login = try await client.post(Path.login, ["email": email, "password": TestServer.password])
                #expect(login.status == 401 && login.code == "invalid_credentials", "login \(shown)")
                #expect(try await client.post(Path.sendOTP, ["email": email]).fieldErrors("email") == ["Enter a valid email address."], "send-otp \(shown)")
                #expect(try await client.post(Path.passwordReset, ["email": email]).fieldErrors("email") == ["Enter a valid email address."], "reset \(shown)")
                let verify = try await client.post(Path.verifyEmail, ["email": email, "otp": "123456"])
                #expect(verify.status == 400 && verify.fieldErrors("email") == ["Enter a valid email address."], "verify \(shown)")
                let confirm = try await client.post(Path.passwordResetConfirm, ["email": email, "otp": "123456", "new_password": "another long passphrase"])
                #expect(confirm.status == 400 && confirm.fieldErrors("email") == ["Enter a valid email address."], "confirm \(shown)")
                let newEmail = email.hasPrefix(invisible) ? invisible + "new@example.com" : "new@example.com" + invisible
                let change = try await client.post(Path.emailChange, ["new_email": newEmail, "password": TestServer.password], bearer: access)
                #expect(change.status == 400 && change.fieldErrors("new_email") == ["Enter a valid email address."], "change \(shown)")
            }
        }
        // The owner's own address, with white space around it, still logs in.
        let login = try await client.post(Path.login, ["email": " owner@example.com\u{2003}", "password": TestServer.password])
        #expect(login.status == 200)
    }
}
