import Foundation
import Testing
@testable import Shared

@Suite("User manager (BaseUserManager semantics)")
struct UserManagerTests {
    func manager() async throws -> (UserManager, AppDatabase) {
        let db = try await temporaryDatabase()
        return (UserManager(store: db, hasher: Argon2idHasher(parameters: cheapArgon2, random: SecureRandom()), clock: ManualClock()), db)
    }

    @Test("createUser normalizes the address, hashes the password, sets Django's defaults")
    func createUser() async throws {
        let (manager, db) = try await manager()
        let user = try await manager.createUser(email: " Ada@EXAMPLE.com ", password: "pw-pw-pw-pw", firstName: "Ada", lastName: "L").created()
        #expect(user.id == 1)
        #expect(user.email == "Ada@example.com" && user.emailKey == "ada@example.com")
        #expect(user.isActive && !user.isStaff && !user.isSuperuser && !user.isVerified)
        #expect(user.password.hasPrefix("$argon2id$"))
        #expect(user.firstName == "Ada")
        let second = try await manager.createUser(email: "grace@example.com", password: "pw-pw-pw-pw").created()
        #expect(second.id == 2)
        let fetched = try #require(try await db.user(id: 1))
        #expect(fetched == user)
    }

    @Test("Uniqueness is case-insensitive and enforced by the database")
    func uniqueness() async throws {
        let (manager, _) = try await manager()
        _ = try await manager.createUser(email: "ada@example.com", password: "x").created()
        #expect(try await manager.createUser(email: "ADA@Example.com", password: "x").isEmailTaken)
    }

    @Test("createSuperuser is staff, superuser, verified and active")
    func superuser() async throws {
        let (manager, _) = try await manager()
        let root = try await manager.createSuperuser(email: "root@example.com", password: "x").created()
        #expect(root.isStaff && root.isSuperuser && root.isVerified && root.isActive)
    }

    @Test("Empty or invalid address and over-long names are refused")
    func refusals() async throws {
        let (manager, _) = try await manager()
        await #expect(throws: UserManager.ManagerError.self) { try await manager.createUser(email: "  ", password: "x") }
        await #expect(throws: UserManager.ManagerError.self) { try await manager.createUser(email: "nope", password: "x") }
        await #expect(throws: UserManager.ManagerError.self) {
            try await manager.createUser(email: "a@example.com", password: "x", firstName: String(repeating: "n", count: 151))
        }
    }
}
