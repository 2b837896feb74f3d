import Crypto
import Foundation
import Synchronization

/// The randomness of one mail job: a keyed stream (HMAC-SHA256 in counter mode under a key
/// derived from the secret key, seeded by the job's random nonce), so every attempt at the same
/// job draws the same code, `Message-ID` and MIME boundary. One job is then one message: a
/// receiver that got an attempt whose acknowledgement was lost can drop the repeat by its
/// `Message-ID`, and the code in whichever copy the user reads is the one stored.
/// The stream needs both the secret key and the job's row: a service that only holds the key
/// (to verify tokens) cannot predict codes, nor can someone who can only read the database.
public final class JobRandom: RandomSource {
    private struct Stream {
        var block: UInt64 = 0
        var buffer: [UInt8] = []
    }

    private let key: SymmetricKey
    private let seed: [UInt8]
    private let stream = Mutex(Stream())

    /// The stream of a job with `nonce` (`MailJob.nonce`), under `key` (see `JobRandom.key(secretKey:)`).
    public init(key: SymmetricKey, nonce: String) {
        self.key = key
        seed = Array("job \(nonce)".utf8)
    }

    /// The stream key, kept apart from every other use of the secret key.
    public static func key(secretKey: String) -> SymmetricKey {
        .derived(from: secretKey, purpose: "swift-auth mail job randomness v1")
    }

    public func bytes(_ count: Int) -> [UInt8] {
        stream.withLock { state in
            while state.buffer.count < count {
                var input = seed
                withUnsafeBytes(of: state.block.bigEndian) { input.append(contentsOf: $0) }
                state.buffer.append(contentsOf: HMAC<SHA256>.authenticationCode(for: input, using: key))
                state.block += 1
            }
            defer { state.buffer.removeFirst(count) }
            return Array(state.buffer.prefix(count))
        }
    }

    public func uniform(below upperBound: Int) -> Int {
        var generator = Generator(source: self)
        // Lemire's rejection method, as for the system generator: uniform, no modulo bias.
        return Int.random(in: 0..<upperBound, using: &generator)
    }

    private struct Generator: RandomNumberGenerator {
        let source: JobRandom

        mutating func next() -> UInt64 {
            source.bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
