import Testing
@testable import Shared

@Suite("E-mail normalization and validation")
struct EmailAddressTests {
    @Test("Normalization trims and lower-cases the domain only, like BaseUserManager.normalize_email")
    func normalize() {
        #expect(EmailAddress.normalize("  Ada.Lovelace@EXAMPLE.Com \n") == "Ada.Lovelace@example.com")
        #expect(EmailAddress.normalize("no-at-sign") == "no-at-sign")
        #expect(EmailAddress.normalize("a@b@C.COM") == "a@b@c.com")
        #expect(EmailAddress.key("Ada.Lovelace@example.com") == "ada.lovelace@example.com")
    }

    @Test("Valid addresses", arguments: [
        "ada@example.com", "first.last+tag@sub.example.co.uk", "x@localhost", "o'neil@example.org",
        "user@[127.0.0.1]", "user@[::1]", "jose@bücher.example", "a@xn--bcher-kva.example", "\"quoted\"@example.com",
        "a@münchen.de", "a_b-c@exa-mple.com",
    ])
    func valid(_ address: String) {
        #expect(EmailAddress.isValid(address))
    }

    @Test("Invalid addresses", arguments: [
        "", "plain", "@example.com", "a@", "a@example", "a..b@example.com", ".a@example.com", "a.@example.com",
        "a@-example.com", "a@example-.com", "a@example.c", "a@example.c0m", "a b@example.com", "a@exa mple.com",
        "tab\t@example.com", "a\u{0}@example.com", "a\u{200B}@example.com", "a@exam\u{200B}ple.com", "a\u{00AD}b@example.com",
        "a@ex\u{202E}ample.com", "a@\u{2066}example.com", "ü@example.com", "a@[300.1.1.1]", "a@[example]",
        "a@example.com\n", "a@\u{3164}.com", "\"a b\"@example.com",
    ])
    func invalid(_ address: String) {
        #expect(!EmailAddress.isValid(address))
    }

    /// Invisible and formatting characters (Unicode `Cf` and friends) at either edge survive
    /// normalization, so validation refuses them: they are not white space.
    @Test("Invisible characters at the edges are refused, not trimmed", arguments: [
        "\u{200B}", "\u{FEFF}", "\u{2060}", "\u{180E}", "\u{00AD}", "\u{200C}", "\u{200D}", "\u{202E}", "\u{2066}",
        "\u{061C}", "\u{3164}", "\u{115F}",
    ])
    func invisibleEdges(_ invisible: String) {
        for raw in [invisible + "name@example.com", "name@example.com" + invisible, " " + invisible + "name@example.com "] {
            let normalized = EmailAddress.normalize(raw)
            #expect(normalized.unicodeScalars.contains(invisible.unicodeScalars.first!), "\(raw.debugDescription)")
            #expect(!EmailAddress.isValid(normalized), "\(raw.debugDescription)")
        }
    }

    /// Unicode `White_Space` (spaces of every width, NBSP, line and paragraph separators) is
    /// trimmed at the edges, as Python's `str.strip()` does in Django.
    @Test("White space of every kind at the edges is trimmed", arguments: [
        " ", "\t", "\n", "\r\n", "\u{00A0}", "\u{1680}", "\u{2003}", "\u{2009}", "\u{202F}", "\u{205F}", "\u{3000}",
        "\u{2028}", "\u{2029}", "\u{0085}", "\u{000B}", "\u{000C}",
    ])
    func whiteSpaceEdges(_ space: String) {
        let normalized = EmailAddress.normalize(space + "Name@Example.COM" + space)
        #expect(normalized == "Name@example.com", "\(space.debugDescription)")
        #expect(EmailAddress.isValid(normalized))
        // Inside the address it is refused.
        #expect(!EmailAddress.isValid("na" + space + "me@example.com"), "\(space.debugDescription)")
    }

    @Test("Length limit: 254 characters")
    func length() {
        let local = String(repeating: "a", count: 64)
        let label = String(repeating: "b", count: 60)
        let domainPrefix = [label, label, label].joined(separator: ".") + "."
        let address254 = local + "@" + domainPrefix + String(repeating: "c", count: 254 - local.count - 1 - domainPrefix.count)
        #expect(address254.count == 254)
        #expect(EmailAddress.isValid(address254))
        #expect(!EmailAddress.isValid("a" + address254))
    }
}
