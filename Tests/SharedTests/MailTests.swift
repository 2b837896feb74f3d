import Foundation
import Testing
@testable import Shared

/// A random source that replays fixed values, to reach the edges of the code range.
struct FixedRandom: RandomSource {
    let value: Int
    func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: 7, count: count) }
    func uniform(below upperBound: Int) -> Int { min(value, upperBound - 1) }
}

@Suite("Mail building, codes and retries")
struct MailTests {
    @Test("A stored send error never holds the recipient's address, in whatever case the server quoted it")
    func errorForgetsRecipient() {
        let error = MailError.fromSMTPReply(550, detail: "5.1.1 <Dana.Gone@Example.com>: Recipient address rejected; dana.gone@example.com unknown")
        let stored = error.naming(recipient: "dana.gone@example.com")
        #expect(stored.kind == .permanent)
        #expect(stored.description == "permanent: SMTP 550: 5.1.1 <<recipient>>: Recipient address rejected; <recipient> unknown")
        #expect(MailError(.transient, "timeout").naming(recipient: "") == MailError(.transient, "timeout"))
    }

    @Test("Codes are six digits over the whole range, zero-padded")
    func codes() {
        #expect(CodeGenerator(random: FixedRandom(value: 0)).generate() == "000000")
        #expect(CodeGenerator(random: FixedRandom(value: 42)).generate() == "000042")
        #expect(CodeGenerator(random: FixedRandom(value: 999_999)).generate() == "999999")
        let generator = CodeGenerator(random: SecureRandom())
        var firstDigits = Set<Character>()
        for _ in 0..<2_000 {
            let code = generator.generate()
            #expect(CodeHasher.isWellFormed(code))
            firstDigits.insert(code.first!)
        }
        #expect(firstDigits.count == 10)
    }

    @Test("The message: headers, multipart/alternative, CRLF, encoded non-ASCII names, one six-digit run")
    func message() {
        let templates = MailTemplates(codeLifetime: 600)
        let rendered = templates.render(.verifyEmail, code: "123456", name: "Zoë Ünal")
        let message = MailMessage.build(
            from: "no-reply@example.org", to: "zoe@example.com", toName: "Zoë Ünal", subject: rendered.subject,
            plain: rendered.plain, html: rendered.html, date: Date(timeIntervalSince1970: 1_795_650_000), random: SecureRandom())
        let text = String(decoding: message.data, as: UTF8.self)
        #expect(text.contains("Date: Wed, 25 Nov 2026 23:40:00 +0000\r\n"))
        #expect(text.contains("From: no-reply@example.org\r\n"))
        #expect(text.contains("To: =?UTF-8?B?\(Data("Zoë Ünal".utf8).base64EncodedString())?= <zoe@example.com>\r\n"))
        #expect(text.contains("Message-ID: <\(message.messageID)>\r\n"))
        #expect(text.contains("Content-Type: multipart/alternative; boundary="))
        #expect(text.contains("Content-Type: text/html; charset=utf-8"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let digitRuns = text.split(whereSeparator: { !$0.isNumber }).filter { $0.count >= 6 }.map(String.init)
        #expect(digitRuns == ["123456", "123456"])  // the plain and the HTML part
        #expect(rendered.plain.contains("10 minutes"))
    }

    @Test("RFC 2047 words stay short and ASCII stays as is")
    func encodedWords() {
        #expect(MailMessage.encodeWord("Plain Name") == "Plain Name")
        let long = MailMessage.encodeWord(String(repeating: "é", count: 60))
        for word in long.components(separatedBy: "\r\n ") {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.count <= 75)
        }
        #expect(MailMessage.encodeWord("evil\r\nBcc: x@example.com").contains("\r\n") == false)
    }

    @Test("Quoted-printable keeps lines under 77 characters and round-trips")
    func quotedPrintable() {
        let text = String(repeating: "word ", count: 40) + "= ünïcode\nsecond line "
        let encoded = MailMessage.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") { #expect(line.count <= 76) }
        let decoded = encoded.replacingOccurrences(of: "=\r\n", with: "")
        #expect(decoded.contains("=3D"))
        #expect(!encoded.contains("ü"))
    }

    @Test("Back-off doubles from the base, is capped, jittered in its upper half, and gives up")
    func retryPolicy() {
        let policy = RetryPolicy(base: 5, maximum: 600, maxAttempts: 4)
        let high = FixedRandom(value: 1_000)
        let low = FixedRandom(value: 0)
        #expect(policy.delay(afterAttempts: 1, random: high) == 5)
        #expect(policy.delay(afterAttempts: 1, random: low) == 2.5)
        #expect(policy.delay(afterAttempts: 3, random: high) == 20)
        #expect(policy.delay(afterAttempts: 20, random: high) == 600)
        #expect(!policy.shouldGiveUp(afterAttempts: 3))
        #expect(policy.shouldGiveUp(afterAttempts: 4))
    }

    @Test("SMTP URLs: credentials are split off and redacted")
    func smtpURL() throws {
        let url = try SMTPURL("smtps://us%40er:p%3Ass@mail.example.com:2465")
        #expect(url.connectionURL == "smtps://mail.example.com:2465")
        #expect(url.username == "us@er" && url.password == "p:ss")
        #expect(!url.redacted.contains("p:ss") && url.redacted.contains("***"))
        #expect(try SMTPURL("smtp://localhost").port == 25)
        #expect(throws: SMTPURL.ParseError.self) { try SMTPURL("http://x") }
        #expect(throws: SMTPURL.ParseError.self) { try SMTPURL("smtp://") }
    }

    @Test("Names never add a six-digit run or a second address")
    func hostileNames() {
        #expect(MailTemplates.displayable("Agent 007") == "Agent 007")
        #expect(MailTemplates.displayable("Call 123456") == "")
        #expect(MailTemplates.displayable("line\nbreak") == "linebreak")
        let rendered = MailTemplates(codeLifetime: 600).render(.verifyEmail, code: "654321", name: "Code 111111")
        #expect(!rendered.plain.contains("111111") && rendered.plain.contains("654321"))
        #expect(MailMessage.displayName("Ada Lovelace") == "Ada Lovelace")
        #expect(MailMessage.displayName("x, other@evil.example") == "\"x, other@evil.example\"")
        #expect(MailMessage.displayName("a \"quoted\" name") == "\"a \\\"quoted\\\" name\"")
    }
}

@Suite("Each mail job's own random stream")
struct JobRandomTests {
    let key = JobRandom.key(secretKey: "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")

    func message(_ random: any RandomSource) -> (code: String, message: MailMessage) {
        let code = CodeGenerator(random: random).generate()
        let message = MailMessage.build(
            from: "no-reply@example.org", to: "a@example.com", toName: "", subject: "s", plain: "p \(code)", html: "h",
            date: Date(timeIntervalSince1970: 1_795_650_000), random: random)
        return (code, message)
    }

    @Test("Every attempt at one job draws the same code, Message-ID and boundary; other jobs draw others")
    func stablePerJob() {
        let first = message(JobRandom(key: key, nonce: "nonce-a"))
        let again = message(JobRandom(key: key, nonce: "nonce-a"))
        #expect(first.code == again.code)
        #expect(first.message == again.message)
        #expect(first.message.messageID.hasSuffix("@example.org"))
        let otherJob = message(JobRandom(key: key, nonce: "nonce-b"))
        #expect(otherJob.message.messageID != first.message.messageID)
        // The secret key alone does not give the stream: the job's nonce is needed too, and the
        // nonce alone does not either.
        let otherKey = message(JobRandom(key: JobRandom.key(secretKey: "another-secret-key-of-sufficient-length"), nonce: "nonce-a"))
        #expect(otherKey.message.messageID != first.message.messageID)
    }

    @Test("Codes drawn from job streams are spread over the whole range")
    func spread() {
        var buckets = [Int](repeating: 0, count: 10)
        let random = SecureRandom()
        for _ in 1...5_000 {
            let code = CodeGenerator(random: JobRandom(key: key, nonce: MailJob.nonce(random))).generate()
            #expect(CodeHasher.isWellFormed(code))
            buckets[Int(String(code.first!))!] += 1
        }
        // 500 expected per leading digit; a uniform draw stays well within ±25 % (p < 1e-6 outside).
        #expect(buckets.allSatisfy { $0 > 375 && $0 < 625 }, "\(buckets)")
    }

    @Test("The MFA notices name what happened and carry no code")
    func mfaNotices() {
        let templates = MailTemplates(codeLifetime: 600)
        let on = templates.render(.mfaEnabledNotice, code: nil, name: "Ada")
        #expect(on.subject.contains("Two-step verification is on") && on.plain.contains("other sessions were signed out"))
        let off = templates.render(.mfaDisabledNotice, code: nil, name: "")
        #expect(off.subject.contains("Two-step verification is off") && off.plain.hasPrefix("Hello,"))
        for mail in [on, off] {
            #expect(mail.plain.range(of: #"\d{6}"#, options: .regularExpression) == nil)
            #expect(mail.html.contains("<p>"))
        }
        #expect(MailJob.Kind.mfaEnabledNotice.isNotice && MailJob.Kind.mfaDisabledNotice.isNotice && !MailJob.Kind.verifyEmail.isNotice)
    }
}
