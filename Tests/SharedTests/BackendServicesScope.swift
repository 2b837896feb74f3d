import Shared
import Testing

/// Runs the services of every backend a test opens (PostgreSQL's connection pool) for the
/// length of the test, in child tasks of a task group around it: the structured form for tests
/// that open backends in their body and `close()` them there. The storage helpers
/// (`TestStore`, `Conformance`) hand each backend they open to `running(_:)`, which refuses
/// outside the scope; a suite that opens backends carries the `.backendServices` trait.
struct BackendServicesScope: TestTrait, SuiteTrait, TestScoping {
    /// The scope of the running test: takes each backend's services to run.
    @TaskLocal static var current: AsyncStream<any AuthBackend>.Continuation?

    var isRecursive: Bool { true }

    /// One scope per test case; none for a suite as a whole.
    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let (opened, scope) = AsyncStream.makeStream(of: (any AuthBackend).self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { services in
                    for await backend in opened {
                        services.addTask { try? await backend.runServices() }
                    }
                }
            }
            // When the test has ended, its backends' services stop.
            defer {
                scope.finish()
                group.cancelAll()
            }
            try await Self.$current.withValue(scope) { try await function() }
        }
    }

    struct Misuse: Error, CustomStringConvertible {
        let description: String
    }

    /// Hands `backend`'s services to the running test's scope; returns the backend.
    static func running<Backend: AuthBackend>(_ backend: Backend) throws -> Backend {
        guard !backend.services.isEmpty else { return backend }
        guard let current else { throw Misuse(description: "\(backend.displayName) opened outside a test with the .backendServices trait") }
        current.yield(backend)
        return backend
    }
}

extension Trait where Self == BackendServicesScope {
    /// The backends a test opens run their services for the length of the test.
    static var backendServices: Self { Self() }
}
