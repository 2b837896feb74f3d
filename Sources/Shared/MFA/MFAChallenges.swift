import Foundation

/// The token of a login's second step: short-lived, single use, stored only as a keyed hash.
/// Counted per account (the `mfa` rate) and never given back: with five tries per token, this
/// bounds the guesses at an account's codes, from however many addresses.
public struct MFAChallenges: Sendable {
    let store: any AuthStore
    let throttle: Throttle
    let secrets: MFASecrets
    let audit: AuditLog
    let clock: any AuthClock
    let random: any RandomSource

    /// How long a login's `mfa_token` lives.
    public static let lifetime: TimeInterval = 300
    /// The longest string looked up as an `mfa_token` (ours are 43 characters).
    static let maxTokenLength = 128

    func issue(userId: Int64, client: ClientInfo) async throws -> String {
        try await throttle.hit(.mfa, .user(userId))
        let token = random.token(byteCount: 32)
        let now = clock.now()
        try await store.createMFAChallenge(
            tokenHash: secrets.hash(challengeToken: token), userId: userId, now: now, expiresAt: now.addingTimeInterval(Self.lifetime))
        await audit.record(.mfaChallenged, userId: userId, client: client)
        return token
    }
}
