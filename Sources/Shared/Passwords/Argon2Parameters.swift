/// Argon2id cost, from `AUTH_ARGON2_*` (defaults: OWASP's 19 MiB, t=2, p=1).
public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: Int
    public var iterations: Int
    public var parallelism: Int

    public init(memoryKiB: Int, iterations: Int, parallelism: Int) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    public static let `default` = Argon2Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1)
}
