import Foundation

/// The storage operations whose decisions are rules, implemented once for every backend that
/// can run a transaction: each backend's `AuthStore` and `ThrottleStore` conformance takes these.
extension TransactionRunner {
    public func redeemCode(
        purpose: CodePurpose, userId: Int64, emailKey: String?, now: Date,
        matches: @escaping @Sendable (OneTimeCode) -> Bool, effect: CodeEffect
    ) async throws -> CodeRedemption {
        do {
            return try await run(CodeRedemptionRule.redeem(
                purpose: purpose, userId: userId, emailKey: emailKey, now: now, matches: matches, effect: effect))
        } catch StorageError.uniqueViolation {
            // Only the e-mail change writes a unique column: its address was taken meanwhile.
            return .emailTaken
        }
    }

    public func rotate(sessionId: String, userId: Int64, presentedJti: String, newJti: String, newExpiry: Date,
                       now: Date) async throws -> SessionChange {
        try await run(SessionRotation.rotate(
            sessionId: sessionId, userId: userId, presentedJti: presentedJti, newJti: newJti, newExpiry: newExpiry, now: now))
    }

    public func endSession(sessionId: String, userId: Int64, presentedJti: String, now: Date) async throws -> SessionChange {
        try await run(SessionRotation.end(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now))
    }

    public func recordHit(keys: [String], limit: Int, period: TimeInterval, now: Date) async throws -> TimeInterval? {
        try await run(ThrottleWindow.recordHit(keys: keys, limit: limit, period: period, now: now))
    }

    public func removeLatestHit(keys: [String]) async throws {
        try await run(ThrottleWindow.removeLatestHit(keys: keys))
    }
}
