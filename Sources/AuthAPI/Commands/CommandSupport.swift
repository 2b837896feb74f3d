import Shared

/// The API's configuration with readable errors; the rest of start-up is `Shared.Startup`.
enum CommandSupport {
    static func configuration() throws -> APIConfiguration {
        do {
            return try APIConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            Startup.fail(error.description, code: 2)
        }
    }
}
