import Foundation

/// A unit of work for the mail worker, written in the same transaction as the change that
/// needs the mail, so that a committed change always has its mail and a rolled-back one never does.
public struct MailJob: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case queued, running, done, dead
    }

    /// What the mail is for; the worker picks the template (and generates a code) by kind.
    public enum Kind: String, Codable, Sendable {
        case verifyEmail = "verify_email"
        case passwordReset = "password_reset"
        case emailChange = "email_change"
        case emailChangedNotice = "email_changed_notice"
        case mfaEnabledNotice = "mfa_enabled_notice"
        case mfaDisabledNotice = "mfa_disabled_notice"
        /// Sent to the address of an account that was deleted; once sent, the job forgets the address.
        case accountDeletedNotice = "account_deleted_notice"

        /// A notice carries no code.
        public var isNotice: Bool {
            switch self {
            case .emailChangedNotice, .mfaEnabledNotice, .mfaDisabledNotice, .accountDeletedNotice: return true
            case .verifyEmail, .passwordReset, .emailChange: return false
            }
        }
    }

    public var id: Int64?
    /// The account the mail is for (also in the payload): what export and deletion find jobs by.
    /// Nil only for jobs read from rows queued before the column existed and not backfilled.
    public var userId: Int64?
    public var kind: Kind
    /// JSON of `MailJob.Payload`.
    public var payload: String
    public var state: State
    public var attempts: Int
    public var runAt: Date
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Random, fixed when the job is queued: seeds the job's own random stream (`JobRandom`), so
    /// every attempt sends the same message. Empty for jobs queued before it existed.
    public var nonce: String

    /// Who the mail goes to and for which account.
    public struct Payload: Codable, Sendable, Equatable {
        public var userId: Int64
        public var email: String

        enum CodingKeys: String, CodingKey {
            case userId = "user_id"
            case email
        }

        public init(userId: Int64, email: String) {
            self.userId = userId
            self.email = email
        }
    }

    /// A new queued job; `nonce` comes from the caller's CSPRNG (`MailJob.nonce(_:)`).
    public init(kind: Kind, payload: Payload, now: Date, nonce: String) {
        self.kind = kind
        self.nonce = nonce
        self.userId = payload.userId
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        self.payload = String(decoding: (try? encoder.encode(payload)) ?? Data("{}".utf8), as: UTF8.self)
        self.state = .queued
        self.attempts = 0
        self.runAt = now
        self.createdAt = now
        self.updatedAt = now
    }

    /// A fresh nonce: 16 random bytes, base64url.
    public static func nonce(_ random: any RandomSource) -> String {
        random.token(byteCount: 16)
    }

    public func decodedPayload() throws -> Payload {
        try JSONDecoder().decode(Payload.self, from: Data(payload.utf8))
    }
}

extension MailJob {
    /// A mail for a user whose id is not known yet (signup's verification mail): the store
    /// makes the job in the transaction that creates the user.
    public struct Draft: Sendable, Equatable {
        public var kind: Kind
        public var email: String
        public var nonce: String

        public init(kind: Kind, email: String, nonce: String) {
            self.kind = kind
            self.email = email
            self.nonce = nonce
        }

        public func job(for userId: Int64, now: Date) -> MailJob {
            MailJob(kind: kind, payload: .init(userId: userId, email: email), now: now, nonce: nonce)
        }
    }
}
