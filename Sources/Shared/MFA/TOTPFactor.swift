import Foundation

/// A user's TOTP factor as stored: pending until a first code confirms it.
public struct TOTPFactor: Sendable, Equatable {
    public var userId: Int64
    /// `KeySealer`'s output for the secret's bytes (sealed under the user id's label).
    public var sealedSecret: [UInt8]
    public var createdAt: Date
    public var confirmedAt: Date?
    /// The last TOTP step accepted: a code of that step or an earlier one is a replay.
    public var lastStep: Int64?

    public var isConfirmed: Bool { confirmedAt != nil }
}

/// How a second factor was presented: a TOTP code (checked against the user's unsealed secret
/// by `step`, which returns the matching step or nil) or a recovery code (its keyed hash).
public enum SecondFactor: Sendable {
    case totp(step: @Sendable (_ sealedSecret: [UInt8], _ userId: Int64) -> Int64?)
    case recoveryCode(hash: [UInt8])

    /// The `amr` value a session gets from it (RFC 8176 names `otp`; recovery codes are their own).
    public var method: String {
        switch self {
        case .totp: return "otp"
        case .recoveryCode: return "recovery"
        }
    }
}

/// What an MFA step did.
public enum MFAOutcome: Sendable, Equatable {
    case done
    /// The code was wrong, a replay, or of an unconfirmed or absent factor.
    case invalidCode
    /// No pending setup to confirm / a factor is already on.
    case wrongState
    /// The `mfa_token` is unknown, used, expired or burned by five wrong codes.
    case invalidChallenge
    /// The session the step was for ended meanwhile; nothing changed.
    case sessionEnded
}
