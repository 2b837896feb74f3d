import Foundation

/// The one home of passwords: whether one is acceptable (Django's validators), hashing a new
/// one, and checking one against a stored hash — a single way for every use case, with the
/// length guard before any hashing (a 4,096-character limit: a huge password costs nothing) and,
/// for an account that does not exist, a dummy hash verified instead, so that "no such account"
/// takes as long as a wrong password.
public struct Passwords: Sendable {
    let hasher: any PasswordHasher
    let validator = PasswordValidator()
    /// Verified for unknown addresses, in place of theirs.
    let dummyHash: String

    public init(hasher: any PasswordHasher, random: any RandomSource) async throws {
        self.hasher = hasher
        dummyHash = try await hasher.hash(random.hexID())
    }

    /// Whether `password` is `user`'s; with no user, a dummy hash is verified and the answer is no.
    public func matches(_ password: String, of user: User?) async -> Bool {
        guard password.utf8.count <= validator.maxLength * 4 else { return false }
        guard let user else {
            _ = await hasher.verify(password, against: dummyHash)
            return false
        }
        return await hasher.verify(password, against: user.password)
    }

    /// Django's validators' messages for a new password of an account with these attributes;
    /// empty when it is acceptable.
    public func problems(_ password: String, attributes: PasswordValidator.Attributes) -> [String] {
        validator.problems(password, attributes: attributes)
    }

    public func hash(_ password: String) async throws -> String {
        try await hasher.hash(password)
    }

    /// The stored hash to replace with a hash of `password`, made now, when it was made with
    /// other parameters (or imported from Django); nil when it is current.
    public func upgrade(_ password: String, of user: User) async throws -> (from: String, to: String)? {
        guard hasher.needsRehash(user.password) else { return nil }
        return (user.password, try await hasher.hash(password))
    }
}
