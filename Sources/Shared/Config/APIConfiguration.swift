import Foundation

/// Settings of the HTTP API process.
public struct APIConfiguration: Sendable {
    public var common: CommonConfiguration
    public var host: String
    public var port: Int
    public var throttleEnabled: Bool
    public var throttleRates: ThrottleRates

    public init(
        common: CommonConfiguration = .init(),
        host: String = "127.0.0.1",
        port: Int = 8000,
        throttleEnabled: Bool = true,
        throttleRates: ThrottleRates = .defaults
    ) {
        self.common = common
        self.host = host
        self.port = port
        self.throttleEnabled = throttleEnabled
        self.throttleRates = throttleRates
    }

    /// Reads and validates every variable; throws one error listing all problems.
    public static func fromEnvironment(_ values: [String: String] = ProcessInfo.processInfo.environment) throws -> APIConfiguration {
        var env = EnvironmentReader(values)
        let common = CommonConfiguration(reading: &env)
        let host = env.string("AUTH_HOST", default: "127.0.0.1")
        let port = env.integer("AUTH_PORT", default: 8000, range: 0...65_535)
        let throttle = env.flag("AUTH_THROTTLE", default: true)
        var rates = ThrottleRates.defaults
        if let text = env.raw("AUTH_THROTTLE_RATES") {
            do { rates = try ThrottleRates.parse(text, over: .defaults) } catch let error as ThrottleRates.ParseError {
                env.report("AUTH_THROTTLE_RATES=\(text): \(error.message)")
            } catch {}
        }
        guard env.problems.isEmpty else { throw ConfigurationError(problems: env.problems) }
        return APIConfiguration(common: common, host: host, port: port, throttleEnabled: throttle, throttleRates: rates)
    }
}
