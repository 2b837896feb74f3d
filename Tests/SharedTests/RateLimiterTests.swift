import Crypto
import Foundation
import Testing
@testable import Shared

/// The limiter over its real store, on every available backend (see `TestStore`).
@Suite("Rate limiter", .backendServices)
struct RateLimiterTests {
    /// Keys unique to one test run: the PostgreSQL test database is shared.
    let ip1 = ThrottleKey.ip("1-" + UUID().uuidString)
    let ip2 = ThrottleKey.ip("2-" + UUID().uuidString)

    @Test("N per window, Retry-After counts down to the oldest request's expiry", arguments: TestStore.available)
    func window(store: TestStore) async throws {
        let db = try await store.open()
        let clock = ManualClock()
        let limiter = RateLimiter(enabled: true, rates: try .parse("login=3/min", over: .defaults), store: db, clock: clock)
        for _ in 0..<3 { #expect(try await limiter.acquire(.login, keys: [ip1]) == nil) }
        #expect(try await limiter.acquire(.login, keys: [ip1]) == 60)
        clock.advance(by: 45.5)
        #expect(try await limiter.acquire(.login, keys: [ip1]) == 15)
        #expect(try await limiter.acquire(.login, keys: [ip2]) == nil)
        clock.advance(by: 15)
        #expect(try await limiter.acquire(.login, keys: [ip1]) == nil)
        // Scopes count apart.
        #expect(try await limiter.acquire(.signup, keys: [ip1]) == nil)
        await db.close()
    }

    @Test("All keys or none: a refused request records nothing; release gives back", arguments: TestStore.available)
    func atomicKeys(store: TestStore) async throws {
        let db = try await store.open()
        let clock = ManualClock()
        let limiter = RateLimiter(enabled: true, rates: try .parse("send_otp=1/min", over: .defaults), store: db, clock: clock)
        let a = ThrottleKey.email("a-" + UUID().uuidString), b = ThrottleKey.email("b-" + UUID().uuidString)
        #expect(try await limiter.acquire(.sendOTP, keys: [ip1, a]) == nil)
        #expect(try await limiter.acquire(.sendOTP, keys: [ip2, a]) != nil)
        #expect(try await limiter.acquire(.sendOTP, keys: [ip2, b]) == nil)
        try await limiter.release(.sendOTP, keys: [ip2, b])
        #expect(try await limiter.acquire(.sendOTP, keys: [ip2, b]) == nil)
        await db.close()
    }

    @Test("Parallel bursts never pass the limit, also through two separate connections pools", arguments: TestStore.available)
    func parallel(store: TestStore) async throws {
        let first = try await store.open()
        let second = try await store.reopen(first)
        let rates = try ThrottleRates.parse("signup=25/min", over: .defaults)
        let limiters = [RateLimiter(enabled: true, rates: rates, store: first, clock: SystemClock()),
                        RateLimiter(enabled: true, rates: rates, store: second, clock: SystemClock())]
        let key = ip1
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<120 { group.addTask { try await limiters[i % 2].acquire(.signup, keys: [key]) == nil } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 25)
        await first.close()
        await second.close()
    }

    @Test("Parallel releases of one key give back distinct hits", arguments: TestStore.available)
    func parallelRelease(store: TestStore) async throws {
        let db = try await store.open()
        let limiter = RateLimiter(enabled: true, rates: try .parse("login=3/min", over: .defaults), store: db, clock: ManualClock())
        for _ in 0..<3 { #expect(try await limiter.acquire(.login, keys: [ip1]) == nil) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 { group.addTask { try await limiter.release(.login, keys: [ip1]) } }
            try await group.waitForAll()
        }
        #expect(try await limiter.acquire(.login, keys: [ip1]) == nil)
        #expect(try await limiter.acquire(.login, keys: [ip1]) == nil)
        #expect(try await limiter.acquire(.login, keys: [ip1]) != nil)
        await db.close()
    }

    @Test("Hits no window can count are purged", arguments: TestStore.available)
    func purge(store: TestStore) async throws {
        let db = try await store.open()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_000_000))
        let limiter = RateLimiter(enabled: true, rates: try .parse("login=2/min", over: .defaults), store: db, clock: clock)
        for _ in 0..<2 { #expect(try await limiter.acquire(.login, keys: [ip1]) == nil) }
        // The longest default window is a minute (every default rate is per minute).
        clock.advance(by: 61)
        #expect(try await limiter.purge() >= 2)
        #expect(try await limiter.purge() == 0)
        await db.close()
    }

    @Test("Off means off")
    func disabled() async throws {
        let db = try await temporaryDatabase()
        let limiter = RateLimiter(enabled: false, rates: .defaults, store: db, clock: ManualClock())
        for _ in 0..<100 { #expect(try await limiter.acquire(.login, keys: [ip1]) == nil) }
    }

    @Test("AUTH_THROTTLE_RATES parsing")
    func parsing() throws {
        let rates = try ThrottleRates.parse("login=3/sec, signup=100/day,send_otp=2/h", over: .defaults)
        #expect(rates[.login] == ThrottleRate(count: 3, period: 1))
        #expect(rates[.signup] == ThrottleRate(count: 100, period: 86_400))
        #expect(rates[.sendOTP] == ThrottleRate(count: 2, period: 3_600))
        #expect(rates[.verifyEmail] == ThrottleRate(count: 10, period: 60))
        for bad in ["login", "nope=1/min", "login=x/min", "login=5/fortnight", "login=0/min"] {
            #expect(throws: ThrottleRates.ParseError.self) { try ThrottleRates.parse(bad, over: .defaults) }
        }
    }

    @Test("Client-supplied keys are bounded in size")
    func boundedKeys() async throws {
        let long = "email:" + String(repeating: "a", count: 60_000) + "@example.com"
        #expect(RateLimiter.bounded(.login, long).utf8.count < 100)
        #expect(RateLimiter.bounded(.login, "ip:127.0.0.1") == "login|ip:127.0.0.1")
        let db = try await temporaryDatabase()
        let limiter = RateLimiter(enabled: true, rates: try .parse("login=1/min", over: .defaults), store: db, clock: ManualClock())
        let longKey = ThrottleKey.email(String(repeating: "a", count: 60_000) + "@example.com")
        // An address is stored as its SHA-256, so no counter holds an address (and every one is short).
        #expect(longKey.stored == "email:" + Hex.encode(SHA256.hash(data: Data((String(repeating: "a", count: 60_000) + "@example.com").utf8))))
        #expect(ThrottleKey.email("ada@example.com").stored == "email:" + ThrottleKey.digest("ada@example.com"))
        #expect(!ThrottleKey.resetConfirmation(emailKey: "ada@example.com").stored.contains("ada"))
        #expect(try await limiter.acquire(.login, keys: [longKey]) == nil)
        #expect(try await limiter.acquire(.login, keys: [longKey]) != nil)
    }
}
