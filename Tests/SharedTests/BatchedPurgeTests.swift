import Testing
@testable import Shared

@Suite("Batched purge rounds")
struct BatchedPurgeTests {
    actor Rounds {
        var left: [Int]
        var asked: [Int] = []
        init(_ left: [Int]) { self.left = left }
        func next(_ batch: Int) -> Int {
            asked.append(batch)
            return left.isEmpty ? 0 : left.removeFirst()
        }
    }

    @Test("Rounds run while each removes a full batch; the first short round ends the purge; the total is every round's")
    func rounds() async throws {
        let rounds = Rounds([10, 10, 3, 10])
        let total = try await BatchedPurge.run(batch: 10, rest: false) { batch in await rounds.next(batch) }
        #expect(total == 23)
        #expect(await rounds.asked == [10, 10, 10])
    }

    @Test("A first round with less than a batch is the only one")
    func single() async throws {
        let rounds = Rounds([0])
        #expect(try await BatchedPurge.run(batch: 10) { await rounds.next($0) } == 0)
        #expect(await rounds.asked == [10])
    }

    @Test("A cancelled purge stops after the round in progress")
    func cancelled() async throws {
        let rounds = Rounds(Array(repeating: 10, count: 100))
        let task = Task {
            try await BatchedPurge.run(batch: 10, rest: false) { batch in
                withUnsafeCurrentTask { $0?.cancel() }
                return await rounds.next(batch)
            }
        }
        #expect(try await task.value == 10)
        #expect(await rounds.asked.count == 1)
    }
}
