import Foundation
import GRDB
@testable import Shared
import Synchronization
import Testing

/// Every table is classified in `PersonalData`, and the rules honour each classification: a new
/// table that holds a `user_id` or an address fails here until its export, deletion and
/// retention are decided and done.
@Suite("Personal data: every table covered by export, deletion and retention", .backendServices)
struct PersonalDataCoverageTests {
    /// The tables of a migrated SQLite database, without SQLite's and GRDB's own and the FTS5
    /// table's shadow tables, with their columns.
    static func schema() async throws -> [String: [String]] {
        let db = try await temporaryDatabase()
        defer { Task { await db.close() } }
        return try await db.pool.read { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .filter { !$0.hasPrefix("sqlite_") && !$0.hasPrefix("grdb_") && !$0.hasPrefix("users_search_") }
            var tables: [String: [String]] = [:]
            for name in names {
                tables[name] = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name]).map { $0["name"] }
            }
            return tables
        }
    }

    static func declared(_ name: String) -> PersonalData.Table? {
        PersonalData.tables.first { $0.name == name }
    }

    @Test("Every table of the schema is classified, once; no classification names a table that is gone")
    func everyTableClassified() async throws {
        let tables = try await Self.schema()
        let classified = PersonalData.tables.map(\.name) + PersonalData.impersonal.keys
        #expect(Set(classified).count == classified.count, "a table classified twice")
        for name in tables.keys.sorted() {
            #expect(classified.contains(name), "table \(name) is not classified in PersonalData: decide its export, deletion and retention")
        }
        for name in classified {
            #expect(tables[name] != nil, "PersonalData classifies \(name), which the schema no longer has")
        }
    }

    @Test("A table with a user_id or an address column is personal data")
    func personalColumns() async throws {
        for (name, columns) in try await Self.schema() {
            let personal = columns.contains { $0 == "user_id" || $0.contains("email") || $0 == "text" }
            if personal { #expect(Self.declared(name) != nil, "\(name) holds \(columns) but is classified as impersonal") }
        }
    }

    @Test("cascadesFromUsers is the schema's ON DELETE CASCADE to users, and only that")
    func cascades() async throws {
        let db = try await temporaryDatabase()
        for table in PersonalData.tables {
            let keys = try await db.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \"table\" AS target, on_delete FROM pragma_foreign_key_list(?)", arguments: [table.name])
            }
            let cascades = keys.contains { ($0["target"] as String) == "users" && ($0["on_delete"] as String) == "CASCADE" }
            #expect(cascades == (table.deletion == .cascadesFromUsers), "\(table.name): \(table.deletion), foreign keys \(keys)")
        }
        await db.close()
    }

    @Test("deletedByAccountDeletion tables are deleted by the deletion rule, for the account's own rows", arguments: TestStore.available)
    func deletion(store: TestStore) async throws {
        let db = try await store.openFresh()
        let id = try await Conformance.createUser(db, "covered@example.com")
        let recorder = RecordingRunner(try #require(db as? any TransactionRunner))
        let outcome = try await recorder.deleteAccount(
            id: id, throttleKeys: { _ in ["login|covered@example.com"] },
            notice: { user in Conformance.job(.accountDeletedNotice, userId: user.id ?? 0, email: user.email) }, now: Conformance.t0)
        guard case .done = outcome else { Issue.record("the account was not deleted: \(outcome)"); return }
        for table in PersonalData.tables where table.deletion == .deletedByAccountDeletion {
            #expect(recorder.deletes(from: table.name), "the deletion rule never deletes from \(table.name):\n\(recorder.statements)")
        }
        await db.close()
    }

    @Test("purged tables are deleted from by the purge (API) or the prune (worker)", arguments: TestStore.available)
    func retention(store: TestStore) async throws {
        let db = try await store.openFresh()
        let recorder = RecordingRunner(try #require(db as? any TransactionRunner))
        _ = try await recorder.purgeExpired(now: Conformance.t0, retention: .default, limit: 10)
        _ = try await recorder.purgeHits(before: Conformance.t0, limit: 10)
        _ = try await recorder.pruneDone(olderThan: Conformance.t0, limit: 10)
        for table in PersonalData.tables where table.retention == .purged {
            #expect(recorder.deletes(from: table.name), "no purge deletes from \(table.name):\n\(recorder.statements)")
        }
        await db.close()
    }

    @Test("Nothing personal is kept for ever: what an account deletion keeps is purged, what lives with the account goes with it")
    func bounded() {
        for table in PersonalData.tables {
            switch (table.deletion, table.retention) {
            case (.kept, .whileTheAccountLives):
                Issue.record("\(table.name) is kept after the account and lives as long as the account: it would never go")
            default:
                break
            }
        }
    }
}

/// A runner that records the text of every statement it runs, in order, for tests that check
/// which tables a rule touches.
struct RecordingRunner: TransactionRunner {
    let base: any TransactionRunner
    private let log = Log()

    init(_ base: any TransactionRunner) {
        self.base = base
    }

    final class Log: Sendable {
        let texts = Mutex<[String]>([])
        func add(_ statement: SQLStatement) { texts.withLock { $0.append(statement.sql) } }
    }

    var statements: String { log.texts.withLock { $0.joined(separator: "\n") } }

    func deletes(from table: String) -> Bool {
        log.texts.withLock { $0.contains { $0.contains("DELETE FROM \(table) ") || $0.hasSuffix("DELETE FROM \(table)") } }
    }

    func recorded<Output>(_ step: TransactionStep<Output>) -> TransactionStep<Output> {
        switch step {
        case .done: return step
        case .read(let statement, let next):
            return .read(statement) { [log] rows in log.add(statement); return recorded(try next(rows)) }
        case .write(let statement, let next):
            return .write(statement) { [log] changed in log.add(statement); return recorded(try next(changed)) }
        }
    }

    func run<Output: Sendable>(_ step: TransactionStep<Output>) async throws -> Output { try await base.run(recorded(step)) }
    func snapshot<Output: Sendable>(_ step: TransactionStep<Output>) async throws -> Output { try await base.snapshot(recorded(step)) }
    func query(_ statement: SQLStatement) async throws -> [SQLRow] { log.add(statement); return try await base.query(statement) }
    func execute(_ statement: SQLStatement) async throws -> Int { log.add(statement); return try await base.execute(statement) }
}
