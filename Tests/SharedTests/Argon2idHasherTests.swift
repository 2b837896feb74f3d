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
