import CArgon2
import Foundation
import NIOPosix

/// Argon2id through libargon2, stored as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
/// Work runs on a thread pool sized to the cores, so the event loops keep serving requests.
public struct Argon2idHasher: PasswordHasher {
    public let parameters: Argon2Parameters
    let random: any RandomSource
    let threadPool: NIOThreadPool

    public static let saltLength = 16
    public static let hashLength = 32

    public init(parameters: Argon2Parameters, random: any RandomSource, threadPool: NIOThreadPool = .singleton) {
        self.parameters = parameters
        self.random = random
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let salt = random.bytes(Self.saltLength)
        let parameters = self.parameters
        return try await threadPool.runIfActive {
            try Self.hashSync(password, salt: salt, parameters: parameters)
        }
    }

    public func verify(_ password: String, against stored: String) async -> Bool {
        guard stored.hasPrefix("$argon2id$") else { return false }
        return (try? await threadPool.runIfActive { Self.verifySync(password, against: stored) }) ?? false
    }

    public func needsRehash(_ stored: String) -> Bool {
        guard let found = Self.parameters(of: stored) else { return true }
        return found != parameters
    }

    /// Synchronous hash, for tools and tests that are not serving requests.
    public static func hashSync(_ password: String, salt: [UInt8], parameters: Argon2Parameters) throws -> String {
        let encodedLength = argon2_encodedlen(
            UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
            UInt32(salt.count), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let pwd = Array(password.utf8)
        let result = pwd.withUnsafeBytes { pwdBuf in
            salt.withUnsafeBytes { saltBuf in
                argon2id_hash_encoded(
                    UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
                    pwdBuf.baseAddress, pwdBuf.count, saltBuf.baseAddress, saltBuf.count,
                    hashLength, &encoded, encodedLength)
            }
        }
        guard result == ARGON2_OK.rawValue else { throw PasswordHashError(code: result) }
        return String(cString: encoded)
    }

    static func verifySync(_ password: String, against stored: String) -> Bool {
        let pwd = Array(password.utf8)
        return pwd.withUnsafeBytes { buf in
            argon2id_verify(stored, buf.baseAddress, buf.count) == ARGON2_OK.rawValue
        }
    }

    /// Parameters encoded in a PHC string, or nil when it is not a well-formed Argon2id string.
    public static func parameters(of stored: String) -> Argon2Parameters? {
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
        guard fields.count == 6, fields[1] == "argon2id", fields[2] == "v=19" else { return nil }
        var m: Int?, t: Int?, p: Int?
        for pair in fields[3].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let value = Int(kv[1]) else { return nil }
            switch kv[0] {
            case "m": m = value
            case "t": t = value
            case "p": p = value
            default: return nil
            }
        }
        guard let m, let t, let p else { return nil }
        return Argon2Parameters(memoryKiB: m, iterations: t, parallelism: p)
    }
}

/// libargon2 refused to hash (out of memory, parameters out of range).
public struct PasswordHashError: Error, CustomStringConvertible {
    public let code: Int32
    public var description: String {
        "argon2 error \(code): " + String(cString: argon2_error_message(code))
    }
}
