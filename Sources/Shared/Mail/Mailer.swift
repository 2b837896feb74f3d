import Foundation

/// Delivers one message. Implementations: SMTP through libcurl, or `.eml` files in an outbox.
public protocol Mailer: Sendable {
    /// Sends `message` unless `permit` has ended by the time it would go out (then
    /// `MailError.leaseLost`, and nothing was delivered).
    func send(_ message: MailMessage, permit: SendPermit) async throws(MailError)
}

/// A failed send, classified: transient failures are retried with back-off, permanent ones
/// park the job as dead at once. `message` is safe to store and log: it never holds secrets.
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case transient, permanent
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// The error with `address` (as the server may quote it, in any case) replaced by
    /// `<recipient>`: what is stored and logged of a failed send never holds the address, so
    /// forgetting a job's payload forgets the address.
    public func naming(recipient address: String) -> MailError {
        guard !address.isEmpty else { return self }
        return MailError(kind, message.replacingOccurrences(of: address, with: "<recipient>", options: .caseInsensitive))
    }

    /// The send was abandoned before the message went out: the job's lease may be another
    /// worker's by now (`SendPermit`).
    public static let leaseLost = MailError(.transient, "lease lost: the send was abandoned before the message went out")

    /// SMTP reply classes: 4xx is "try again later", 5xx is "never".
    public static func fromSMTPReply(_ code: Int, detail: String) -> MailError {
        MailError((500..<600).contains(code) ? .permanent : .transient, "SMTP \(code): \(detail)")
    }
}
