import Foundation
import Testing
@testable import Shared

/// The text each database receives for one statement written once.
@Suite("SQL statements written once")
struct SQLStatementTests {
    @Test("PostgreSQL numbers the placeholders and gets the lock clause; SQLite keeps ? and no lock")
    func placeholdersAndLocks() {
        let statement = SQLStatement("SELECT id FROM t WHERE a = ? AND b IN (?, ?) ORDER BY id LIMIT ?", 1, "x", "y", 5,
                                     lock: .forUpdate(of: "t"))
        #expect(statement.text(.postgres) == "SELECT id FROM t WHERE a = $1 AND b IN ($2, $3) ORDER BY id LIMIT $4 FOR UPDATE OF t")
        #expect(statement.text(.sqlite) == "SELECT id FROM t WHERE a = ? AND b IN (?, ?) ORDER BY id LIMIT ?")
        #expect(SQLStatement("SELECT 1 FROM t", lock: .forUpdateSkipLocked).text(.postgres) == "SELECT 1 FROM t FOR UPDATE SKIP LOCKED")
        #expect(SQLStatement("SELECT 1 FROM t", lock: .forUpdate(of: nil)).text(.postgres) == "SELECT 1 FROM t FOR UPDATE")
        #expect(SQLStatement("SELECT ?", "é?").text(.postgres) == "SELECT $1", "arguments are bound, never spliced into the text")
        #expect(SQLStatement("SELECT 'é' || ?", 1).text(.postgres) == "SELECT 'é' || $1")
    }

    @Test("A throttle hit's identity is SQLite's rowid and PostgreSQL's id")
    func hitIdentity() {
        let statement = SQLStatement("DELETE FROM throttle_hits WHERE {hit id} = ?", 7)
        #expect(statement.text(.sqlite) == "DELETE FROM throttle_hits WHERE rowid = ?")
        #expect(statement.text(.postgres) == "DELETE FROM throttle_hits WHERE id = $1")
    }

    @Test("PostgreSQL counts the changes of a write without RETURNING of its own")
    func counting() {
        #expect(SQLStatement("UPDATE t SET a = 1").needsReturningToCount)
        #expect(SQLStatement("INSERT INTO t (a) VALUES (?)", 1).needsReturningToCount)
        #expect(SQLStatement("DELETE FROM t\nWHERE a = 1").needsReturningToCount)
        #expect(!SQLStatement("INSERT INTO t (a) VALUES (1) RETURNING id").needsReturningToCount)
        #expect(!SQLStatement("SELECT 1").needsReturningToCount)
        #expect(!SQLStatement("SELECT pg_advisory_xact_lock(1)").needsReturningToCount)
    }
}
