import Foundation

/// The rate-limited actions, named as in `AUTH_THROTTLE_RATES`.
public enum ThrottleScope: String, Sendable, CaseIterable {
    case login
    case signup
    case sendOTP = "send_otp"
    case verifyEmail = "verify_email"
    case passwordReset = "password_reset"
    case emailChange = "email_change"
    /// Second-factor codes: setup confirmation, the login's second step, disable.
    case mfa
}

/// `N` requests per period, as DRF writes them (`10/min`).
public struct ThrottleRate: Sendable, Equatable {
    public var count: Int
    public var period: TimeInterval

    public init(count: Int, period: TimeInterval) {
        self.count = count
        self.period = period
    }
}

/// The rate of each scope; the same rate applies per client IP and per address.
public struct ThrottleRates: Sendable, Equatable {
    public var rates: [ThrottleScope: ThrottleRate]

    public static let defaults = ThrottleRates(rates: [
        .login: .init(count: 10, period: 60),
        .signup: .init(count: 20, period: 60),
        .sendOTP: .init(count: 5, period: 60),
        .verifyEmail: .init(count: 10, period: 60),
        .passwordReset: .init(count: 5, period: 60),
        .emailChange: .init(count: 5, period: 60),
        .mfa: .init(count: 10, period: 60),
    ])

    public subscript(scope: ThrottleScope) -> ThrottleRate {
        rates[scope] ?? Self.defaults.rates[scope]!
    }

    public struct ParseError: Error {
        public let message: String
    }

    /// Parses `name=N/unit,…` (unit: sec, min, hour, day, or their first letter) over the defaults.
    public static func parse(_ text: String, over base: ThrottleRates) throws -> ThrottleRates {
        var result = base
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let scope = ThrottleScope(rawValue: pair[0]) else {
                throw ParseError(message: "unknown rate name in \"\(item)\" (known: \(ThrottleScope.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let rate = pair[1].split(separator: "/", maxSplits: 1)
            guard rate.count == 2, let count = Int(rate[0]), count > 0, count <= 1_000_000 else {
                throw ParseError(message: "\"\(item)\" is not of the form name=N/unit")
            }
            let period: TimeInterval
            switch rate[1].first {
            case "s": period = 1
            case "m": period = 60
            case "h": period = 3_600
            case "d": period = 86_400
            default: throw ParseError(message: "unknown unit in \"\(item)\" (sec, min, hour or day)")
            }
            result.rates[scope] = ThrottleRate(count: count, period: period)
        }
        return result
    }
}
