import Foundation
@testable import Shared
import Testing

/// A write transaction that acts on rows it read must lock them: checked as the rule runs, on
/// SQLite too, so a forgotten `FOR UPDATE` fails every test that runs the rule, not only a race
/// test on PostgreSQL.
@Suite("Lock discipline of write transactions", .backendServices)
struct LockDisciplineTests {
    static let read = SQLStatement("SELECT id FROM users WHERE email_key = ?", "lock@example.com")
    static let lockedRead = SQLStatement("SELECT id FROM users WHERE email_key = ?", "lock@example.com", lock: .forUpdate(of: nil))
    static let write = SQLStatement("UPDATE users SET first_name = ? WHERE email_key = ?", "Locked", "lock@example.com")

    @Test("An unlocked read followed by a write is refused, naming the read, and changes nothing", arguments: TestStore.available)
    func unlockedRead(store: TestStore) async throws {
        let db = try await store.openFresh()
        _ = try await Conformance.createUser(db, "lock@example.com")
        let runner = try #require(db as? any TransactionRunner)
        await #expect(throws: LockDiscipline.Violation.self) {
            try await runner.run(TransactionStep<Void>.read(Self.read) { _ in .write(Self.write) { _ in .done(()) } })
        }
        #expect(try await db.user(emailKey: "lock@example.com")?.firstName == "")
        await db.close()
    }

    @Test("A locked read, a user-row lock or an advisory lock first, and reads after the writes all pass", arguments: TestStore.available)
    func allowed(store: TestStore) async throws {
        let db = try await store.openFresh()
        let id = try await Conformance.createUser(db, "lock@example.com")
        let runner = try #require(db as? any TransactionRunner)
        try await runner.run(TransactionStep<Void>.read(Self.lockedRead) { _ in .write(Self.write) { _ in .done(()) } })
        try await runner.run(TransactionStep<Void>.write(Statements.lock(user: id)) { _ in .write(Self.write) { _ in .done(()) } })
        try await runner.run(.writes([ThrottleRules.locks(["k"])[0]], then: TransactionStep<Void>.read(Self.read) { _ in .write(Self.write) { _ in .done(()) } }))
        try await runner.run(TransactionStep<Void>.write(Self.write) { _ in .read(Self.read) { _ in .done(()) } })
        // A read-only snapshot locks nothing.
        _ = try await runner.snapshot(TransactionStep<Int>.read(Self.read) { rows in .done(rows.count) })
        #expect(try await db.user(emailKey: "lock@example.com")?.firstName == "Locked")
        await db.close()
    }

    @Test("INSERT, UPDATE and DELETE change rows, with or without RETURNING and leading white space; SELECTs do not")
    func verbs() {
        #expect(SQLStatement("INSERT INTO t VALUES (1) RETURNING id").changesRows)
        #expect(SQLStatement("\n    UPDATE t SET a = 1").changesRows)
        #expect(SQLStatement("DELETE FROM t").changesRows)
        #expect(!SQLStatement("SELECT 1 FROM users WHERE id = 1 FOR NO KEY UPDATE").changesRows)
        #expect(!SQLStatement("SELECT pg_notify('x', '')").changesRows)
    }
}
