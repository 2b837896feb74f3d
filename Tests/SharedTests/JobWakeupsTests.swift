import Foundation
import Testing
@testable import Shared

@Suite("Worker wake-ups")
struct JobWakeupsTests {
    @Test("A signal before the wait ends the next wait at once; without one the wait times out")
    func signalAndTimeout() async {
        let wakeups = JobWakeups()
        wakeups.signal()
        let started = ContinuousClock.now
        await wakeups.wait(timeout: .seconds(600))
        #expect(ContinuousClock.now - started < .seconds(300))
        let idle = ContinuousClock.now
        await wakeups.wait(timeout: .milliseconds(50))
        #expect(ContinuousClock.now - idle >= .milliseconds(50))
    }

    @Test("A waiting worker is woken by a signal from another task")
    func wakesWaiter() async {
        let wakeups = JobWakeups()
        let started = ContinuousClock.now
        async let waited: Void = wakeups.wait(timeout: .seconds(600))
        // Time for the waiter to get to its wait: `JobWakeups` shows no sign that it waits, and a
        // signal that came first would end the wait at once too (the test above).
        try? await Task.sleep(for: .milliseconds(50))
        wakeups.signal()
        await waited
        // Without the signal this would take the whole timeout; the margin absorbs a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(300))
    }
}
