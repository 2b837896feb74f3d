import Logging

/// What a use case asks of the rate limits: take a slot or be refused (429 with the wait), give
/// a slot back when the request turned out not to count.
public struct Throttle: Sendable {
    let limiter: RateLimiter
    let logger: Logger

    /// Records one request for every key, or refuses (`throttled`) when any key is over the rate.
    func hit(_ scope: ThrottleScope, _ keys: ThrottleKey...) async throws {
        if let wait = try await limiter.acquire(scope, keys: keys) {
            ServiceMetrics.throttled(scope)
            throw AuthError.throttled(retryAfter: wait)
        }
    }

    /// The second step of a per-IP-then-per-address limit: when the address refuses, the IP's
    /// slot taken in the first step is given back, so one refusal costs one slot.
    func hit(_ scope: ThrottleScope, address key: ThrottleKey, client: ClientInfo) async throws {
        do {
            try await hit(scope, key)
        } catch {
            await giveBack(scope, .ip(client.ip))
            throw error
        }
    }

    /// Gives back recorded hits; a failure only logs: the hit then counts, which errs on the safe side.
    func giveBack(_ scope: ThrottleScope, _ keys: ThrottleKey...) async {
        do {
            try await limiter.release(scope, keys: keys)
        } catch {
            logger.warning("giving back a throttle slot failed", metadata: ["error": "\(error)"])
        }
    }

    /// Forgets hits that no window can still count.
    func purge() async throws -> Int {
        try await limiter.purge()
    }
}
