import Foundation
import Logging

/// Writes each message as an `.eml` file into a folder, atomically (a temporary file renamed
/// into place), so `make run` works with no mail server and readers never see half a file.
public struct OutboxMailer: Mailer {
    public let directory: String
    let logger: Logger

    public init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    public func send(_ message: MailMessage, permit: SendPermit) async throws(MailError) {
        guard permit.isValid else { throw MailError.leaseLost }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let name = "\(Int(Date().timeIntervalSince1970 * 1000))-\(message.messageID.split(separator: "@")[0]).eml"
            let final = URL(fileURLWithPath: directory).appendingPathComponent(name)
            let temporary = URL(fileURLWithPath: directory).appendingPathComponent(".\(name).tmp")
            // The file holds a live code: readable by its owner only.
            guard FileManager.default.createFile(atPath: temporary.path, contents: message.data, attributes: [.posixPermissions: 0o600]) else {
                throw MailError(.transient, "cannot write to outbox \(directory)")
            }
            // The rename is the delivery: the last moment to give up a lease that ran out.
            guard permit.isValid else {
                try? FileManager.default.removeItem(at: temporary)
                throw MailError.leaseLost
            }
            try FileManager.default.moveItem(at: temporary, to: final)
            logger.info("mail written to outbox", metadata: ["mail.file": "\(final.path)", "mail.message_id": "\(message.messageID)"])
        } catch let error as MailError {
            throw error
        } catch {
            throw MailError(.transient, "cannot write to outbox \(directory): \(error.localizedDescription)")
        }
    }
}
