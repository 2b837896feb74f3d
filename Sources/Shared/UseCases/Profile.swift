/// The caller's own names.
public struct Profile: Sendable {
    let store: any AuthStore

    public func update(_ caller: Authenticated, _ update: ProfileUpdate) async throws -> User {
        if update.firstName == nil && update.lastName == nil { return caller.user }
        guard var updated = try await store.updateNames(userId: caller.userId, firstName: update.firstName, lastName: update.lastName)
        else { throw AuthError.tokenNotValid }
        updated.mfaEnabled = caller.user.mfaEnabled
        return updated
    }
}
