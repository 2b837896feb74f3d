import Foundation

/// Creates users as Django's `BaseUserManager` does: normalized e-mail, hashed password,
/// superusers staff, verified and active. Validation of what clients send is the caller's job.
public struct UserManager: Sendable {
    let store: any AuthStore
    let hasher: any PasswordHasher
    let clock: any AuthClock

    public init(store: any AuthStore, hasher: any PasswordHasher, clock: any AuthClock) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
    }

    public struct ManagerError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// An unsaved user with a normalized address and a hashed password.
    public func makeUser(email: String, password: String, firstName: String = "", lastName: String = "") async throws -> User {
        let normalized = EmailAddress.normalize(email)
        guard !normalized.isEmpty else { throw ManagerError(description: "The email must be set") }
        guard EmailAddress.isValid(normalized) else { throw ManagerError(description: "Enter a valid email address.") }
        guard firstName.unicodeScalars.count <= 150, lastName.unicodeScalars.count <= 150 else {
            throw ManagerError(description: "Names have at most 150 characters.")
        }
        return User(
            email: normalized, password: try await hasher.hash(password),
            firstName: firstName, lastName: lastName, dateJoined: clock.now())
    }

    /// Saves a regular user (active, unverified, not staff); `.emailTaken` when the address is taken.
    @discardableResult
    public func createUser(email: String, password: String, firstName: String = "", lastName: String = "") async throws -> Insertion<User> {
        let user = try await makeUser(email: email, password: password, firstName: firstName, lastName: lastName)
        return try await store.createUser(user)
    }

    /// Saves a superuser: staff, superuser, verified and active; `.emailTaken` when the address is taken.
    @discardableResult
    public func createSuperuser(email: String, password: String) async throws -> Insertion<User> {
        var user = try await makeUser(email: email, password: password)
        user.isStaff = true
        user.isSuperuser = true
        user.isVerified = true
        user.isActive = true
        return try await store.createUser(user)
    }
}
