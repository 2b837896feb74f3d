import Foundation

/// Randomness for salts, identifiers and codes, injected so tests can make it predictable.
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
    /// A uniform integer in `0..<upperBound`, without modulo bias.
    func uniform(below upperBound: Int) -> Int
}

/// The operating system's CSPRNG (`getrandom` on Linux, through `SystemRandomNumberGenerator`).
public struct SecureRandom: RandomSource {
    public init() {}

    /// Eight bytes per draw: one `getrandom` call per 64 bits instead of one per byte.
    public func bytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let word = rng.next()
            withUnsafeBytes(of: word) { out.append(contentsOf: $0.prefix(count - out.count)) }
        }
        return out
    }

    public func uniform(below upperBound: Int) -> Int {
        var rng = SystemRandomNumberGenerator()
        // `Int.random(in:using:)` uses Lemire's rejection method: uniform, no modulo bias.
        return Int.random(in: 0..<upperBound, using: &rng)
    }
}

extension RandomSource {
    /// A URL-safe random identifier of `byteCount` random bytes (base64url, no padding).
    public func token(byteCount: Int = 16) -> String {
        Base64URL.encode(bytes(byteCount))
    }

    /// 32 lower-case hex digits, like Python's `uuid4().hex` that simplejwt uses for `jti`.
    public func hexID() -> String {
        Hex.encode(bytes(16))
    }
}
