import Foundation

/// What a one-time code may be used for; codes of different purposes never stand in for each other.
public enum CodePurpose: String, Codable, Sendable, CaseIterable {
    case verifyEmail = "verify_email"
    case passwordReset = "password_reset"
    case emailChange = "email_change"
}

/// The stored half of a code: only its keyed hash, with expiry, attempts and single use.
/// One row per (purpose, user): a new code replaces the earlier one.
public struct OneTimeCode: Sendable, Equatable {
    public var id: Int64?
    public var purpose: CodePurpose
    public var userId: Int64
    /// The address the code was sent to; the code is valid for this address only.
    public var emailKey: String
    /// The same address as typed (case kept): the new address of an e-mail change.
    public var email: String
    public var codeHash: Data
    public var createdAt: Date
    public var expiresAt: Date
    public var attempts: Int
    public var usedAt: Date?

    public init(purpose: CodePurpose, userId: Int64, email: String, codeHash: Data, createdAt: Date, expiresAt: Date) {
        self.purpose = purpose
        self.userId = userId
        self.email = email
        self.emailKey = EmailAddress.key(email)
        self.codeHash = codeHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.attempts = 0
        self.usedAt = nil
    }

    /// Wrong tries after which a code is burnt.
    public static let maxAttempts = 5
}
