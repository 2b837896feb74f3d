import Foundation
import Testing
@testable import Shared

@Suite("Argon2id hasher")
struct Argon2idHasherTests {
    let hasher = Argon2idHasher(parameters: cheapArgon2, random: SecureRandom())

    @Test("Hashes to a PHC string that verifies the right password only")
    func roundTrip() async throws {
        let stored = try await hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("$argon2id$v=19$m=256,t=1,p=1$"))
        #expect(await hasher.verify("correct horse battery staple", against: stored))
        #expect(!(await hasher.verify("correct horse battery stapler", against: stored)))
        #expect(try await hasher.hash("same") != (try await hasher.hash("same")))
    }

    @Test("Malformed or foreign stored strings never verify and never crash")
    func malformed() async {
        for stored in ["", "plain", "$argon2i$v=19$m=256,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=x$$", "pbkdf2_sha256$1$salt$hash"] {
            #expect(!(await hasher.verify("x", against: stored)))
        }
    }

    @Test("needsRehash when the parameters differ")
    func rehash() async throws {
        let stored = try await hasher.hash("pw")
        #expect(!hasher.needsRehash(stored))
        let stronger = Argon2idHasher(parameters: .init(memoryKiB: 512, iterations: 2, parallelism: 1), random: SecureRandom())
        #expect(stronger.needsRehash(stored))
        #expect(stronger.needsRehash("not a phc string"))
        #expect(Argon2idHasher.parameters(of: stored) == cheapArgon2)
        // A hash made with other parameters still verifies: the parameters are in the string.
        #expect(await stronger.verify("pw", against: stored))
    }
}

/// libsodium (hashing at this service's parameters) against the other implementations of the
/// same format: libargon2 (the code before, and the one for several lanes) and argon2-cffi
/// (Django's), both ways.
@Suite("Argon2id across implementations")
struct Argon2idInteropTests {
    static let salt = Array(0..<16 as Range<UInt8>)
    static let contract = Argon2Parameters(memoryKiB: 19456, iterations: 2, parallelism: 1)
    /// Written by argon2-cffi 25.1 (`low_level.hash_secret`, salt 00…0f) for the contract's parameters.
    static let fromArgon2CFFI = "$argon2id$v=19$m=19456,t=2,p=1$AAECAwQFBgcICQoLDA0ODw$gYJZtjEAJqjg26xdLmknq8/bB7MiWPrE9hsYuA+SkIU"
    /// Written by argon2-cffi with Django's lane count (p=8), which libsodium cannot compute.
    static let eightLanes = "$argon2id$v=19$m=256,t=2,p=8$3KMKMXXmOsI5+NTQpoBc6w$rsbMWE6pZWVLb5nTH8TZ6P67U3GwM06yh64updDiVfY"

    @Test("For one salt, libsodium writes exactly the string libargon2 and argon2-cffi write")
    func sameString() throws {
        #expect(Argon2idHasher.computedByLibsodium(Self.contract))
        #expect(!Argon2idHasher.computedByLibsodium(.init(memoryKiB: 19456, iterations: 2, parallelism: 8)))
        let ours = try Argon2idHasher.hashSync("correct horse battery staple", salt: Self.salt, parameters: Self.contract)
        #expect(ours == Self.fromArgon2CFFI)
        #expect(ours == (try Argon2idHasher.referenceHash("correct horse battery staple", salt: Self.salt, parameters: Self.contract)))
    }

    @Test("Hashes written by libargon2 (the code before) verify, and libsodium's verify with libargon2")
    func bothWays() async throws {
        let hasher = Argon2idHasher(parameters: cheapArgon2, random: SecureRandom())
        let salt = SecureRandom().bytes(16)
        let before = try Argon2idHasher.referenceHash("old password", salt: salt, parameters: cheapArgon2)
        #expect(await hasher.verify("old password", against: before))
        #expect(!(await hasher.verify("old passwort", against: before)))
        let now = try await hasher.hash("new password")
        #expect(Argon2idHasher.referenceVerify(Array("new password".utf8), against: now))
        #expect(!Argon2idHasher.referenceVerify(Array("new passwort".utf8), against: now))
        #expect(await hasher.verify("correct horse battery staple", against: Self.fromArgon2CFFI))
    }

    @Test("Several lanes (Django's p=8) hash and verify through libargon2")
    func severalLanes() async throws {
        let hasher = Argon2idHasher(parameters: cheapArgon2, random: SecureRandom())
        #expect(await hasher.verify("django default lanes", against: Self.eightLanes))
        #expect(!(await hasher.verify("django default lane", against: Self.eightLanes)))
        let twoLanes = Argon2idHasher(parameters: .init(memoryKiB: 256, iterations: 1, parallelism: 2), random: SecureRandom())
        let stored = try await twoLanes.hash("pw")
        #expect(stored.hasPrefix("$argon2id$v=19$m=256,t=1,p=2$"))
        #expect(await twoLanes.verify("pw", against: stored))
    }

    @Test("argon2-cffi (Django's Argon2 library) verifies a hash written here")
    func argon2CFFIVerifies() async throws {
        let hasher = Argon2idHasher(parameters: cheapArgon2, random: SecureRandom())
        let stored = try await hasher.hash("p\u{e4}ssw\u{f6}rd \u{1F511}")
        let script = """
            import sys
            from argon2 import PasswordHasher
            from argon2.exceptions import VerifyMismatchError
            ph = PasswordHasher()
            assert ph.verify(sys.argv[1], sys.argv[2])
            try:
                ph.verify(sys.argv[1], sys.argv[2] + "x")
                sys.exit("a wrong password verified")
            except VerifyMismatchError:
                pass
            print("argon2-cffi: ok")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, stored, "p\u{e4}ssw\u{f6}rd \u{1F511}"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("argon2-cffi: ok"), "\(text)")
    }
}
