import Foundation

/// Checking a 6-digit code a user typed: the keyed-hash comparison the store's redemption rule
/// runs under its lock, and what each redemption outcome means for the caller — the code error
/// (`otp_invalid`, `otp_expired`, `otp_locked`), the metrics, and the audit events of verified
/// and burnt codes.
public struct CodeVerifier: Sendable {
    let codes: CodeHasher
    let audit: AuditLog

    /// The check of `code` against a stored code's hash; `emailKey` nil takes the address the
    /// code was sent to (an e-mail change's new address).
    func matcher(_ code: String, purpose: CodePurpose, emailKey: String?) -> @Sendable (OneTimeCode) -> Bool {
        let codes = self.codes
        return { stored in codes.matches(code: code, purpose: purpose, emailKey: emailKey ?? stored.emailKey, stored: stored.codeHash) }
    }

    /// The redeemed code's user, or the code error; `emailTaken` and `sessionEnded` are the
    /// callers' to handle before.
    @discardableResult
    func settle(_ outcome: CodeRedemption, purpose: CodePurpose, userId: Int64, client: ClientInfo,
                auditSuccess: Bool = true) async throws -> User {
        switch outcome {
        case .redeemed(let user):
            ServiceMetrics.code(purpose, outcome: "redeemed")
            if auditSuccess { await audit.record(.codeVerified, userId: userId, client: client, detail: purpose.rawValue) }
            return user
        case .invalid, .emailTaken, .sessionEnded:
            ServiceMetrics.code(purpose, outcome: "invalid")
            throw AuthError.codeInvalid
        case .expired:
            ServiceMetrics.code(purpose, outcome: "expired")
            throw AuthError.codeExpired
        case .locked:
            ServiceMetrics.code(purpose, outcome: "locked")
            await audit.record(.codeLocked, userId: userId, client: client, detail: purpose.rawValue)
            throw AuthError.codeLocked
        }
    }
}
