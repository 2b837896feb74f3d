import Foundation

/// The MFA store, once for every backend that runs statements.
extension TransactionRunner {
    public func totpFactor(userId: Int64) async throws -> TOTPFactor? {
        try await query(MFARules.factor(userId: userId)).first.map(MFARules.factor)
    }

    public func beginTOTPSetup(userId: Int64, sealedSecret: [UInt8], now: Date) async throws -> MFAOutcome {
        try await run(MFARules.beginSetup(userId: userId, sealedSecret: sealedSecret, now: now))
    }

    public func confirmTOTP(userId: Int64, sessionId: String, code: SecondFactor, recoveryCodeHashes: [[UInt8]], notice: MailJob?,
                            now: Date) async throws -> MFAOutcome {
        try await run(MFARules.confirm(
            userId: userId, sessionId: sessionId, code: code, recoveryCodeHashes: recoveryCodeHashes,
            notice: notice.map(Statements.insert) ?? [], now: now))
    }

    public func createMFAChallenge(tokenHash: [UInt8], userId: Int64, now: Date, expiresAt: Date) async throws {
        _ = try await execute(MFARules.createChallenge(tokenHash: tokenHash, userId: userId, now: now, expiresAt: expiresAt))
    }

    public func completeMFALogin(tokenHash: [UInt8], code: SecondFactor, now: Date,
                                 session: @escaping @Sendable (Int64) -> LoginSession) async throws -> (MFAOutcome, LoginSession?) {
        try await run(MFARules.completeLogin(tokenHash: tokenHash, code: code, session: session, now: now))
    }

    public func disableTOTP(userId: Int64, code: SecondFactor, notice: MailJob?, now: Date) async throws -> MFAOutcome {
        try await run(MFARules.disable(userId: userId, code: code, notice: notice.map(Statements.insert) ?? [], now: now))
    }

    public func regenerateRecoveryCodes(userId: Int64, hashes: [[UInt8]]) async throws -> MFAOutcome {
        try await run(MFARules.regenerate(userId: userId, hashes: hashes))
    }

    public func mfaStatus(userId: Int64) async throws -> (totp: Bool, recoveryCodesLeft: Int) {
        guard let row = try await query(MFARules.status(userId: userId)).first else { return (false, 0) }
        return (try row.int("totp") > 0, try row.int("codes_left"))
    }
}
