import Foundation
import NIOPosix

/// This service's Argon2id for every new hash, and the Django hashes of imported accounts
/// verified until their first login replaces them (`needsRehash` is true for those).
public struct PasswordHashers: PasswordHasher {
    public let primary: Argon2idHasher

    public init(primary: Argon2idHasher) {
        self.primary = primary
    }

    public func hash(_ password: String) async throws -> String {
        try await primary.hash(password)
    }

    public func verify(_ password: String, against stored: String) async -> Bool {
        guard DjangoPasswordHash.format(of: stored) != nil else { return await primary.verify(password, against: stored) }
        // Django's work factors, on the hashing threads like every hash.
        let submitted = ContinuousClock.now
        return (try? await primary.threadPool.runIfActive {
            Argon2idHasher.recordWait(since: submitted)
            return DjangoPasswordHash.verify(password, against: stored)
        }) ?? false
    }

    public func needsRehash(_ stored: String) -> Bool {
        primary.needsRehash(stored)
    }
}
