import Shared

/// The worker's configuration with readable errors; the rest of start-up is `Shared.Startup`.
enum WorkerSupport {
    static func configuration() -> WorkerConfiguration {
        do {
            return try WorkerConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            Startup.fail(error.description, code: 2)
        } catch {
            Startup.fail("configuration error: \(error)", code: 2)
        }
    }
}
