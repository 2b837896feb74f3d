import Foundation

/// The second factor's rows; the rules are `MFARules`, once for both databases.
public protocol MFAStore: Sendable {
    func totpFactor(userId: Int64) async throws -> TOTPFactor?
    /// A pending setup (replacing a pending one); `.wrongState` while a factor is on.
    func beginTOTPSetup(userId: Int64, sealedSecret: [UInt8], now: Date) async throws -> MFAOutcome
    /// Confirms the pending factor with its first code; see `MFARules.confirm`.
    func confirmTOTP(userId: Int64, sessionId: String, code: SecondFactor, recoveryCodeHashes: [[UInt8]], notice: MailJob?,
                     now: Date) async throws -> MFAOutcome
    /// Records the second step of a login that the password step allowed.
    func createMFAChallenge(tokenHash: [UInt8], userId: Int64, now: Date, expiresAt: Date) async throws
    /// The second step: `.done` and the session it opened (`session` for the challenge's user,
    /// raised to the second factor).
    func completeMFALogin(tokenHash: [UInt8], code: SecondFactor, now: Date,
                          session: @escaping @Sendable (Int64) -> LoginSession) async throws -> (MFAOutcome, LoginSession?)
    func disableTOTP(userId: Int64, code: SecondFactor, notice: MailJob?, now: Date) async throws -> MFAOutcome
    func regenerateRecoveryCodes(userId: Int64, hashes: [[UInt8]]) async throws -> MFAOutcome
    /// Whether TOTP is on, and the recovery codes left.
    func mfaStatus(userId: Int64) async throws -> (totp: Bool, recoveryCodesLeft: Int)
}
