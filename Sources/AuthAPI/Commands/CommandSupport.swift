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

    /// `AUTH_SECRET_KEY`, or the key generated beside the database on its first use; a
    /// command that cannot have one exits with the reason.
    static func secretKey(_ configuration: APIConfiguration) -> String {
        do {
            return try SecretKeyStore.resolve(
                configured: configuration.common.secretKey, directory: configuration.common.databaseDirectory, random: SecureRandom())
        } catch {
            Startup.fail("error: \(error)")
        }
    }
}
