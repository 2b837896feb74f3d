import Testing
@testable import Shared

/// Django's hashes as this service reads them (hashes written by Python's hashlib, argon2-cffi
/// and bcrypt, as Django writes them): within the work-factor bounds they verify; outside them,
/// or with a hasher not supported here, they are no format at all, so a login never runs them
/// and the import counts them as unsupported.
@Suite("Django password hashes")
struct DjangoPasswordHashTests {
    static let password = "correct horse"

    @Test("Each supported format verifies the right password only")
    func verifies() {
        let hashes = [
            "pbkdf2_sha256$1000$saltsalt$qQDPSZa3Ormyy9oK1Pu0ZLLwP2Svzmx3yu8OvDdq/J0=",
            "argon2$argon2id$v=19$m=1024,t=2,p=2$CFiKsceFZE+VBmr1bfO53Q$zSGkuyxjzLfoygEcFJAKVHHc5xq4KwxveMO6HrS4ZCg",
            "bcrypt_sha256$$2b$04$QeXr4wDqlQ76lcFCfVRTMOCPW0vCkMDcTcSZjgx9zdIx0K1q6wMZu",
        ]
        for (hash, format) in zip(hashes, DjangoPasswordHash.Format.allCases) {
            #expect(DjangoPasswordHash.format(of: hash) == format)
            #expect(DjangoPasswordHash.verify(Self.password, against: hash), "\(format)")
            #expect(!DjangoPasswordHash.verify("correct horsf", against: hash), "\(format)")
        }
    }

    @Test("Work factors past the bounds, Argon2i and unusable passwords are no format and never verify")
    func outOfBounds() {
        let refused = [
            // 2 000 001 iterations: one past the bound (the hash is right for the password).
            "pbkdf2_sha256$2000001$saltsalt$pnc9SIcx4EDCOOiq5k0FiBxNTWHFcVt7OfitM9Dh3eg=",
            "pbkdf2_sha256$100000000$saltsalt$pnc9SIcx4EDCOOiq5k0FiBxNTWHFcVt7OfitM9Dh3eg=",
            "argon2$argon2i$v=19$m=1024,t=2,p=2$9ApiKX/+S9uynSUpOBTOHA$ZYfeEceDa5Wkxnq1KcmCZLFozMCl3DLautrBCBZ1sIE",
            "argon2$argon2id$v=19$m=4194304,t=2,p=2$CFiKsceFZE+VBmr1bfO53Q$zSGkuyxjzLfoygEcFJAKVHHc5xq4KwxveMO6HrS4ZCg",
            "argon2$argon2id$v=19$m=1024,t=200,p=2$CFiKsceFZE+VBmr1bfO53Q$zSGkuyxjzLfoygEcFJAKVHHc5xq4KwxveMO6HrS4ZCg",
            "bcrypt_sha256$$2b$15$ghyEByjsVa7QcfYlG1SYS.A4zLZIs/CrtxBoKe1Gl/uERGIeOQDx6",
            "!unusable",
        ]
        for hash in refused {
            #expect(DjangoPasswordHash.format(of: hash) == nil, "\(hash.prefix(30))")
            #expect(!DjangoPasswordHash.verify(Self.password, against: hash), "\(hash.prefix(30))")
        }
        #expect(DjangoPasswordHash.Bounds.pbkdf2Iterations.contains(1_200_000), "Django 6.0's default")
    }
}
