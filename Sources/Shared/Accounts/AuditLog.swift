import Foundation
import Logging

/// Writes each audit event twice: a structured log line (`audit.event`, `user.id`, `client.ip`,
/// `client.user_agent`) and a row in `auth_events`. Auditing never fails the request it records:
/// a storage error is logged and the request goes on.
public struct AuditLog: Sendable {
    let store: any AuthStore
    let clock: any AuthClock
    let logger: Logger

    public init(store: any AuthStore, clock: any AuthClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    public func record(_ event: AuditEvent, userId: Int64?, actorId: Int64? = nil, client: ClientInfo?, detail: String = "") async {
        var metadata: Logger.Metadata = ["audit.event": "\(event.rawValue)"]
        if let userId { metadata["user.id"] = "\(userId)" }
        if let actorId { metadata["actor.id"] = "\(actorId)" }
        if let client {
            metadata["client.ip"] = "\(client.ip)"
            metadata["client.user_agent"] = "\(client.userAgent)"
        }
        if !detail.isEmpty { metadata["audit.detail"] = "\(detail)" }
        logger.info("audit", metadata: metadata)
        do {
            try await store.recordEvent(AuditRecord(event: event, userId: userId, actorId: actorId, client: client, detail: detail, at: clock.now()))
        } catch {
            logger.warning("audit event not stored", metadata: ["audit.event": "\(event.rawValue)", "error": "\(type(of: error))"])
        }
    }
}
