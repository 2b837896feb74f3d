import Foundation

/// A wait that ran out of time: what was awaited, where, for how long, and what was seen last.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Waits for something another process or thread brings about, where the test cannot be told
/// the moment it happens: `observe` is called every `interval` until `isDone` accepts what it
/// returned, which is then returned. When `timeout` has passed first, throws `WaitTimedOut`
/// naming `what` (evaluated then, so it can show a log as it stands), the caller and the last
/// value seen; an error from `observe` ends the wait at once.
@discardableResult
public func eventually<Value>(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(20),
    every interval: Duration = .milliseconds(50),
    fileID: String = #fileID, line: Int = #line,
    observing observe: () async throws -> Value,
    until isDone: (Value) throws -> Bool
) async throws -> Value {
    let clock = ContinuousClock()
    let started = clock.now
    while true {
        let seen = try await observe()
        if try isDone(seen) { return seen }
        let waited = clock.now - started
        if waited >= timeout {
            throw WaitTimedOut(description: "\(fileID):\(line): waited \(waited) (timeout \(timeout)) for \(what()); last seen: \(seen)")
        }
        try await Task.sleep(for: interval)
    }
}

/// `eventually` for a condition that is simply true or false.
public func eventually(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(20),
    every interval: Duration = .milliseconds(50),
    fileID: String = #fileID, line: Int = #line,
    _ condition: () async throws -> Bool
) async throws {
    try await eventually(what(), timeout: timeout, every: interval, fileID: fileID, line: line, observing: condition, until: { $0 })
}
