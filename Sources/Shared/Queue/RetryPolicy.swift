import Foundation

/// Exponential back-off with jitter for transient failures, capped, then dead.
public struct RetryPolicy: Sendable {
    public var base: TimeInterval
    public var maximum: TimeInterval
    public var maxAttempts: Int

    public init(base: TimeInterval, maximum: TimeInterval, maxAttempts: Int) {
        self.base = base
        self.maximum = maximum
        self.maxAttempts = maxAttempts
    }

    /// Delay before the next try after `attempts` failed tries: base·2^(attempts−1), capped,
    /// then "equal jitter" (a uniform draw in its upper half) so that retries do not stampede.
    public func delay(afterAttempts attempts: Int, random: any RandomSource) -> TimeInterval {
        let exponent = min(max(attempts - 1, 0), 30)
        let capped = min(maximum, base * pow(2, Double(exponent)))
        let jitter = Double(random.uniform(below: 1_001)) / 1_000
        return capped / 2 + capped / 2 * jitter
    }

    public func shouldGiveUp(afterAttempts attempts: Int) -> Bool {
        attempts >= maxAttempts
    }
}
