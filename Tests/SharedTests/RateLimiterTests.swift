import Foundation
import Testing
@testable import Shared

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test("N per window, Retry-After counts down to the oldest request's expiry")
    func window() {
        let clock = ManualClock()
        let limiter = RateLimiter(enabled: true, rates: try! .parse("login=3/min", over: .defaults), clock: clock)
        for _ in 0..<3 { #expect(limiter.acquire(.login, keys: ["ip:1"]) == nil) }
        #expect(limiter.acquire(.login, keys: ["ip:1"]) == 60)
        clock.advance(by: 45.5)
        #expect(limiter.acquire(.login, keys: ["ip:1"]) == 15)
        #expect(limiter.acquire(.login, keys: ["ip:2"]) == nil)
        clock.advance(by: 15)
        #expect(limiter.acquire(.login, keys: ["ip:1"]) == nil)
    }

    @Test("All keys or none: a refused request records nothing; release gives back")
    func atomicKeys() {
        let clock = ManualClock()
        let limiter = RateLimiter(enabled: true, rates: try! .parse("send_otp=1/min", over: .defaults), clock: clock)
        #expect(limiter.acquire(.sendOTP, keys: ["ip:1", "email:a"]) == nil)
        #expect(limiter.acquire(.sendOTP, keys: ["ip:2", "email:a"]) != nil)
        #expect(limiter.acquire(.sendOTP, keys: ["ip:2", "email:b"]) == nil)
        limiter.release(.sendOTP, keys: ["ip:2", "email:b"])
        #expect(limiter.acquire(.sendOTP, keys: ["ip:2", "email:b"]) == nil)
    }

    @Test("Parallel bursts never pass the limit")
    func parallel() async {
        let limiter = RateLimiter(enabled: true, rates: try! .parse("signup=25/min", over: .defaults), clock: SystemClock())
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 { group.addTask { limiter.acquire(.signup, keys: ["ip:x"]) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 25)
    }

    @Test("Memory is bounded: expired keys are swept, a full table is halved")
    func bounded() {
        let clock = ManualClock()
        let limiter = RateLimiter(enabled: true, rates: .defaults, clock: clock, maxKeys: 1_000)
        for i in 0..<5_000 { _ = limiter.acquire(.signup, keys: ["ip:\(i)"]) }
        #expect(limiter.keyCount <= 1_000)
        clock.advance(by: 2 * 86_400)
        for i in 0..<1_000 { _ = limiter.acquire(.signup, keys: ["ip:new\(i)"]) }
        #expect(limiter.keyCount <= 1_000)
    }

    @Test("Off means off")
    func disabled() {
        let limiter = RateLimiter(enabled: false, rates: .defaults, clock: ManualClock())
        for _ in 0..<100 { #expect(limiter.acquire(.login, keys: ["ip:1"]) == nil) }
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
    func boundedKeys() {
        let long = "email:" + String(repeating: "a", count: 60_000) + "@example.com"
        #expect(RateLimiter.bounded(long).utf8.count < 80)
        #expect(RateLimiter.bounded("ip:127.0.0.1") == "ip:127.0.0.1")
        let limiter = RateLimiter(enabled: true, rates: try! .parse("login=1/min", over: .defaults), clock: ManualClock())
        #expect(limiter.acquire(.login, keys: [long]) == nil)
        #expect(limiter.acquire(.login, keys: [long]) != nil)
    }
}
