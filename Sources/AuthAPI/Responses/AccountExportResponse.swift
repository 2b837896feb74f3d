import Foundation
import Shared

/// Everything stored about the caller, as `GET /me/export/` shows it: no password hash, code,
/// TOTP secret, recovery code or token (a session's refresh `jti` included) is in it.
struct AccountExportResponse: JSONBody {
    let user: AdminUserResponse
    let sessions: [ExportedSession]
    let auditEvents: [ExportedEvent]
    let mailJobs: [MailJobResponse]
    let mfa: MFAStatusResponse
    let grants: [GrantResponse]
    let exportedAt: String

    init(_ export: AccountExport, exportedAt: Date) {
        user = AdminUserResponse(export.user)
        sessions = export.sessions.map(ExportedSession.init)
        auditEvents = export.events.map(ExportedEvent.init)
        mailJobs = export.mailJobs.map(MailJobResponse.init)
        mfa = MFAStatusResponse(totp: export.totp, recoveryCodesLeft: export.recoveryCodesLeft)
        grants = export.grants.map(GrantResponse.init)
        self.exportedAt = ISO8601Text.string(exportedAt)
    }

    enum CodingKeys: String, CodingKey {
        case user, sessions, mfa, grants
        case auditEvents = "audit_events"
        case mailJobs = "mail_jobs"
        case exportedAt = "exported_at"
    }
}
