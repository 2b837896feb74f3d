import Foundation
import Testing
@testable import Shared

extension StorageConformance {
    /// The shared rate-limit windows (`ThrottleStore`) on every backend, below the limiter.
    @Suite("Throttle storage conformance", .serialized)
    struct ThrottleStorageTests {
        typealias C = Conformance

        static func hits(_ db: any AuthBackend, _ key: String) async throws -> Int {
            try await db.rows("throttle_hits", where: "key = \(C.quoted(key))")
        }

        @Test("recordHit allows `limit` hits per sliding window, then answers the seconds until the oldest one leaves it", arguments: TestStore.available)
        func slidingWindow(store: TestStore) async throws {
            let db = try await store.openFresh()
            func hit(_ key: String = "ip:a", at seconds: TimeInterval) async throws -> TimeInterval? {
                try await db.recordHit(keys: [key], limit: 3, period: 60, now: C.at(seconds))
            }
            #expect(try await hit(at: 0) == nil)
            #expect(try await hit(at: 10) == nil)
            #expect(try await hit(at: 20) == nil)
            #expect(try await Self.hits(db, "ip:a") == 3)
            #expect(try await db.real("SELECT MAX(at) FROM throttle_hits") == C.at(20).timeIntervalSince1970)

            #expect(try await hit(at: 30) == 30)
            #expect(try await hit(at: 59.5) == 0.5)
            #expect(try await Self.hits(db, "ip:a") == 3, "a refused hit is not recorded")
            // Another key has a window of its own.
            #expect(try await hit("ip:b", at: 30) == nil)

            // The oldest hit leaves the window exactly `period` after it.
            #expect(try await hit(at: 60) == nil)
            #expect(try await Self.hits(db, "ip:a") == 4)
            #expect(try await hit(at: 60) == 10)
            // A lower limit for the same key counts the same hits.
            #expect(try await db.recordHit(keys: ["ip:a"], limit: 1, period: 60, now: C.at(61)) == 9)
            await db.close()
        }

        @Test("recordHit over several keys records on all of them or none, and waits for the longest", arguments: TestStore.available)
        func allOrNone(store: TestStore) async throws {
            let db = try await store.openFresh()
            #expect(try await db.recordHit(keys: ["ip:1", "email:a"], limit: 1, period: 60, now: C.at(0)) == nil)
            #expect(try await Self.hits(db, "ip:1") == 1)
            #expect(try await Self.hits(db, "email:a") == 1)

            // email:a is full: ip:2 gets no hit either.
            #expect(try await db.recordHit(keys: ["ip:2", "email:a"], limit: 1, period: 60, now: C.at(10)) == 50)
            #expect(try await Self.hits(db, "ip:2") == 0)
            #expect(try await db.recordHit(keys: ["ip:2", "email:b"], limit: 1, period: 60, now: C.at(10)) == nil)

            // Two full keys: the caller waits for the later one.
            #expect(try await db.recordHit(keys: ["email:a", "ip:2", "ip:3"], limit: 1, period: 60, now: C.at(40)) == 30)
            #expect(try await Self.hits(db, "ip:3") == 0)
            #expect(try await db.rows("throttle_hits") == 4)
            await db.close()
        }

        @Test("removeLatestHit takes back each key's most recent hit, and only that", arguments: TestStore.available)
        func removeLatest(store: TestStore) async throws {
            let db = try await store.openFresh()
            for seconds in [0.0, 10, 20] { #expect(try await db.recordHit(keys: ["k:a"], limit: 10, period: 60, now: C.at(seconds)) == nil) }
            #expect(try await db.recordHit(keys: ["k:b"], limit: 10, period: 60, now: C.at(30)) == nil)
            #expect(try await db.recordHit(keys: ["k:c"], limit: 10, period: 60, now: C.at(5)) == nil)

            try await db.removeLatestHit(keys: ["k:a"])
            #expect(try await Self.hits(db, "k:a") == 2)
            #expect(try await db.real("SELECT MAX(at) FROM throttle_hits WHERE key = 'k:a'") == C.at(10).timeIntervalSince1970)

            try await db.removeLatestHit(keys: ["k:a", "k:b"])
            #expect(try await Self.hits(db, "k:a") == 1)
            #expect(try await db.real("SELECT MAX(at) FROM throttle_hits WHERE key = 'k:a'") == C.t0.timeIntervalSince1970)
            #expect(try await Self.hits(db, "k:b") == 0)

            // A key without hits: nothing to take back, nothing else touched.
            try await db.removeLatestHit(keys: ["k:b", "k:none"])
            #expect(try await db.rows("throttle_hits") == 2)
            #expect(try await Self.hits(db, "k:c") == 1)

            // Taken back: it no longer counts toward the limit.
            #expect(try await db.recordHit(keys: ["k:a"], limit: 2, period: 60, now: C.at(40)) == nil)
            #expect(try await db.recordHit(keys: ["k:a"], limit: 2, period: 60, now: C.at(41)) == 19)
            try await db.removeLatestHit(keys: ["k:a"])
            #expect(try await db.recordHit(keys: ["k:a"], limit: 2, period: 60, now: C.at(42)) == nil)
            await db.close()
        }

        @Test("Parallel removeLatestHit calls through two pools take back distinct hits", arguments: TestStore.available)
        func parallelRemove(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            for i in 0..<6 { _ = try await first.recordHit(keys: ["k"], limit: 100, period: 600, now: C.at(Double(i))) }
            let pools: [any AuthBackend] = [first, second]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<4 { group.addTask { try await pools[i % 2].removeLatestHit(keys: ["k"]) } }
                try await group.waitForAll()
            }
            #expect(try await Self.hits(first, "k") == 2)
            #expect(try await first.real("SELECT MAX(at) FROM throttle_hits") == C.at(1).timeIntervalSince1970)
            await second.close()
            await first.close()
        }

        @Test("purgeHits deletes hits at or before the cutoff, at most its limit, and answers how many", arguments: TestStore.available)
        func purgeHits(store: TestStore) async throws {
            let db = try await store.openFresh()
            for seconds in [0.0, 10, 20] { _ = try await db.recordHit(keys: ["p:a", "p:b"], limit: 10, period: 60, now: C.at(seconds)) }
            #expect(try await db.purgeHits(before: C.at(-1), limit: 100) == 0)
            #expect(try await db.purgeHits(before: C.at(10), limit: 100) == 4)
            #expect(try await db.rows("throttle_hits") == 2)
            #expect(try await db.real("SELECT MIN(at) FROM throttle_hits") == C.at(20).timeIntervalSince1970)
            #expect(try await db.purgeHits(before: C.at(10), limit: 100) == 0)
            #expect(try await db.purgeHits(before: C.at(1_000), limit: 1) == 1, "at most the limit")
            #expect(try await db.purgeHits(before: C.at(1_000), limit: 100) == 1)
            #expect(try await db.rows("throttle_hits") == 0)
            await db.close()
        }

        @Test("Parallel bursts through two pools never record more than the limit", arguments: TestStore.available)
        func parallelBursts(store: TestStore) async throws {
            let first = try await store.openFresh()
            let second = try await C.secondPool(first)
            let pools: [any AuthBackend] = [first, second]
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<40 {
                    group.addTask { try await pools[i % 2].recordHit(keys: ["burst"], limit: 7, period: 60, now: C.at(1)) == nil }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 7)
            #expect(try await Self.hits(first, "burst") == 7)

            // Shared key plus a key of each caller's own: all or none holds under parallel calls too.
            let mixed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        try await pools[i % 2].recordHit(keys: ["own:\(i)", "shared"], limit: 5, period: 60, now: C.at(2)) == nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(mixed == 5)
            #expect(try await Self.hits(first, "shared") == 5)
            #expect(try await first.rows("throttle_hits", where: "key LIKE 'own:%'") == 5)
            await second.close()
            await first.close()
        }
    }
}
