import ServiceLifecycle

/// A service that runs a start-up step before its work: a check that needs the database's
/// services (`requireMigrated` needs the pool, which runs in the same `ServiceGroup`) happens
/// before the work begins, and when it throws, the group ends with its error.
public struct PreludeService: Service {
    let prelude: @Sendable () async throws -> Void
    let service: any Service

    public init(_ service: any Service, prelude: @escaping @Sendable () async throws -> Void) {
        self.service = service
        self.prelude = prelude
    }

    public func run() async throws {
        try await prelude()
        try await service.run()
    }
}
