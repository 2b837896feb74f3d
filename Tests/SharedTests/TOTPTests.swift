import Foundation
import Testing
@testable import Shared

/// RFC 6238 against its own test vectors and against pyotp, an authenticator implementation
/// nobody here wrote, which reads our `otpauth://` URL.
@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    /// RFC 6238 appendix B, SHA-1 rows: the seed is the ASCII "12345678901234567890".
    static let vectors: [(Int64, String)] = [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ]

    @Test("Appendix B vectors, 8 digits, and their 6-digit truncation")
    func rfcVectors() {
        let seed = Array("12345678901234567890".utf8)
        for (time, code) in Self.vectors {
            let step = TOTP.step(at: Date(timeIntervalSince1970: TimeInterval(time)))
            #expect(TOTP(secret: seed, digits: 8).code(step: step) == code, "T=\(time)")
            #expect(TOTP(secret: seed).code(step: step) == String(code.suffix(6)), "T=\(time)")
        }
    }

    @Test("One step of drift either way, with the injected clock; nothing beyond; malformed codes never match")
    func window() {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_111_111_111))
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let now = TOTP.step(at: clock.now())
        for offset: Int64 in [-1, 0, 1] {
            #expect(totp.matchingStep(totp.code(step: now + offset), at: clock.now()) == now + offset)
        }
        for offset: Int64 in [-3, -2, 2, 3] {
            #expect(totp.matchingStep(totp.code(step: now + offset), at: clock.now()) == nil)
        }
        clock.advance(by: 30)
        #expect(totp.matchingStep(totp.code(step: now), at: clock.now()) == now, "the previous step still counts")
        clock.advance(by: 30)
        #expect(totp.matchingStep(totp.code(step: now), at: clock.now()) == nil)
        for bad in ["", "12345", "1234567", "abcdef", totp.code(step: now + 2) + "0"] {
            #expect(totp.matchingStep(bad, at: clock.now()) == nil)
        }
    }

    @Test("Base32 round trip, as apps write secrets (lower case, spaces, padding accepted)")
    func base32() {
        var rng = SeededGenerator(seed: 32)
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let text = Base32.encode(bytes)
            #expect(Base32.decode(text) == bytes)
            #expect(Base32.decode(text.lowercased()) == bytes)
        }
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("MZXW 6YTB OI======") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW6YTB0I") == nil, "0 is not in the alphabet")
    }

    @Test("pyotp reads our otpauth URL and computes the same code at every moment")
    func pyotpAgrees() async throws {
        var rng = SeededGenerator(seed: 6238)
        let secret = (0..<TOTP.secretLength).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let url = TOTP.provisioningURL(secret: secret, issuer: "Swift Auth", account: "ada+mfa@example.com")
        #expect(url.hasPrefix("otpauth://totp/Swift%20Auth:ada%2Bmfa@example.com?secret=\(Base32.encode(secret))&issuer=Swift%20Auth"))
        let times = (0..<50).map { _ in Int64(rng.next() % 4_000_000_000) } + [0, 29, 30, 59]
        let script = """
            import sys, pyotp
            totp = pyotp.parse_uri(sys.argv[1])
            assert totp.digits == 6 and totp.interval == 30 and totp.issuer == "Swift Auth", (totp.digits, totp.interval, totp.issuer)
            for line in sys.stdin:
                print(totp.at(int(line)))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, url]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(times.map(String.init).joined(separator: "\n").utf8 + [0x0A]))
        try input.fileHandleForWriting.close()
        let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let codes = answer.split(separator: "\n").map(String.init)
        #expect(codes.count == times.count)
        let totp = TOTP(secret: secret)
        for (time, code) in zip(times, codes) {
            #expect(totp.code(step: TOTP.step(at: Date(timeIntervalSince1970: TimeInterval(time)))) == code, "T=\(time)")
        }
    }
}
