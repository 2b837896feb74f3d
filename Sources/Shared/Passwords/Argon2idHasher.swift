import CArgon2
import CSodium
import Foundation
import NIOPosix

/// Argon2id, stored as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), the format
/// libargon2, libsodium and argon2-cffi (Django's) all read and write. With one lane (this
/// service's parameters) the work is libsodium's `crypto_pwhash`, which runs SSSE3/AVX2 code
/// chosen at run time; libargon2, the portable reference code, hashes and verifies the strings
/// with several lanes that libsodium cannot compute (e.g. Django's defaults, p=8). Work runs
/// on a thread pool sized to the cores, so the event loops keep serving requests.
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
        let submitted = ContinuousClock.now
        return try await threadPool.runIfActive {
            Self.recordWait(since: submitted)
            return try Self.hashSync(password, salt: salt, parameters: parameters)
        }
    }

    public func verify(_ password: String, against stored: String) async -> Bool {
        guard stored.hasPrefix("$argon2id$") else { return false }
        let submitted = ContinuousClock.now
        return (try? await threadPool.runIfActive {
            Self.recordWait(since: submitted)
            return Self.verifySync(password, against: stored)
        }) ?? false
    }

    /// How long a hash waited for a pool thread: the queue that login latency grows in under load.
    static func recordWait(since submitted: ContinuousClock.Instant) {
        let waited = ContinuousClock.now - submitted
        ServiceMetrics.argon2Waited(nanoseconds: waited.components.seconds * 1_000_000_000 + waited.components.attoseconds / 1_000_000_000)
    }

    public func needsRehash(_ stored: String) -> Bool {
        guard let found = Self.parameters(of: stored) else { return true }
        return found != parameters
    }

    /// Synchronous hash, for tools and tests that are not serving requests.
    public static func hashSync(_ password: String, salt: [UInt8], parameters: Argon2Parameters) throws -> String {
        guard computedByLibsodium(parameters, saltLength: salt.count) else {
            return try referenceHash(password, salt: salt, parameters: parameters)
        }
        _ = sodiumReady
        var hash = [UInt8](repeating: 0, count: hashLength)
        let pwd = Array(password.utf8)
        let result = nonNullBytes(pwd) { pwdChars in
            crypto_pwhash(
                &hash, UInt64(hashLength), pwdChars, UInt64(pwd.count), salt,
                UInt64(parameters.iterations), Int(parameters.memoryKiB) * 1024, crypto_pwhash_alg_argon2id13())
        }
        // libsodium only says -1: out of memory (the parameters were checked by the configuration).
        guard result == 0 else { throw PasswordHashError(code: Int32(ARGON2_MEMORY_ALLOCATION_ERROR.rawValue)) }
        return "$argon2id$v=19$m=\(parameters.memoryKiB),t=\(parameters.iterations),p=1$"
            + phcBase64(salt) + "$" + phcBase64(hash)
    }

    /// Whether libsodium computes a hash of these parameters: one lane and its salt length.
    static func computedByLibsodium(_ parameters: Argon2Parameters, saltLength: Int = saltLength) -> Bool {
        parameters.parallelism == 1 && saltLength == crypto_pwhash_saltbytes()
    }

    /// libargon2's own encoder and hash: for parameters libsodium does not compute, and for
    /// `make bench`'s comparison.
    public static func referenceHash(_ password: String, salt: [UInt8], parameters: Argon2Parameters) throws -> String {
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

    /// The PHC string's base64: the standard alphabet without padding.
    static func phcBase64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func verifySync(_ password: String, against stored: String) -> Bool {
        let pwd = Array(password.utf8)
        if let found = parameters(of: stored), computedByLibsodium(found) {
            _ = sodiumReady
            return nonNullBytes(pwd) { crypto_pwhash_str_verify(stored, $0, UInt64(pwd.count)) } == 0
        }
        return referenceVerify(pwd, against: stored)
    }

    static func referenceVerify(_ pwd: [UInt8], against stored: String) -> Bool {
        pwd.withUnsafeBytes { buf in
            argon2id_verify(stored, buf.baseAddress, buf.count) == ARGON2_OK.rawValue
        }
    }

    /// The password's bytes at a pointer that is never null, as libsodium requires (an empty
    /// password has no buffer of its own); its length is passed apart, so NUL bytes count.
    static func nonNullBytes<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    /// `sodium_init` once per process (it is idempotent and thread-safe, but not free).
    static let sodiumReady: Bool = sodium_init() >= 0

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

/// The Argon2 library refused to hash (out of memory, parameters out of range).
public struct PasswordHashError: Error, CustomStringConvertible {
    public let code: Int32
    public var description: String {
        "argon2 error \(code): " + String(cString: argon2_error_message(code))
    }
}
