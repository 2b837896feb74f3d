import Foundation
import Hummingbird
import Shared

/// The caller's own data: `GET /me/export/` (one JSON document, as an attachment) and
/// `DELETE /me/` (the account and its personal data).
struct AccountDataController {
    let accountData: AccountData
    let authentication: Authentication
    let transport: TokenTransport

    func addRoutes(to router: inout APIRouter) {
        let p = AccountsController.prefix
        router.onAuthenticated(p + "/me/export", .get, export)
        router.onAuthenticated(p + "/me", .delete, delete)
    }

    @Sendable func export(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let export = try await accountData.export(context.caller, client: request.client(context.base))
        var response = try JSONResponse.make(AccountExportResponse(export, exportedAt: Date()))
        response.headers[.contentDisposition] = #"attachment; filename="account-export.json""#
        return response
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let userId = context.caller.userId
        try await accountData.delete(context.caller, try await request.parsed(PasswordRequest.init(json:)), client: request.client(context.base))
        var response = JSONResponse.noContent()
        if await transport.cookiesBelong(to: request, authentication, where: { $0.userId == userId }) { transport.clearCookies(on: &response) }
        return response
    }
}

/// Everything stored about the caller, as `GET /me/export/` shows it: no password hash, code,
/// TOTP secret, recovery code or token (a session's refresh `jti` included) is in it.
struct AccountExportResponse: Encodable {
    let user: AdminUserResponse
    let sessions: [ExportedSession]
    let auditEvents: [ExportedEvent]
    let mailJobs: [MailJobResponse]
    let mfa: MFAController.Status
    let exportedAt: String

    init(_ export: AccountExport, exportedAt: Date) {
        user = AdminUserResponse(export.user)
        sessions = export.sessions.map(ExportedSession.init)
        auditEvents = export.events.map(ExportedEvent.init)
        mailJobs = export.mailJobs.map(MailJobResponse.init)
        mfa = MFAController.Status(totp: export.totp, recoveryCodesLeft: export.recoveryCodesLeft)
        self.exportedAt = ISO8601Text.string(exportedAt)
    }

    enum CodingKeys: String, CodingKey {
        case user, sessions, mfa
        case auditEvents = "audit_events"
        case mailJobs = "mail_jobs"
        case exportedAt = "exported_at"
    }

    /// An audit event as the admin list shows it, and the User-Agent stored with it.
    struct ExportedEvent: Encodable {
        let event: AuditEventResponse
        let userAgent: String

        init(_ record: AuditRecord) {
            event = AuditEventResponse(record)
            userAgent = record.userAgent
        }

        enum CodingKeys: String, CodingKey { case userAgent = "user_agent" }

        func encode(to encoder: any Encoder) throws {
            try event.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(userAgent, forKey: .userAgent)
        }
    }

    struct ExportedSession: Encodable {
        let id: String
        let createdAt: String
        let lastUsedAt: String
        let expiresAt: String
        let revokedAt: String?
        let revokeReason: String?
        let userAgent: String
        let ip: String
        let aal: Int
        let amr: [String]

        init(_ session: LoginSession) {
            id = session.id
            createdAt = ISO8601Text.string(session.createdAt)
            lastUsedAt = ISO8601Text.string(session.lastUsedAt)
            expiresAt = ISO8601Text.string(session.expiresAt)
            revokedAt = session.revokedAt.map(ISO8601Text.string)
            revokeReason = session.revokeReason
            userAgent = session.userAgent
            ip = session.ip
            aal = session.level.aal
            amr = session.level.amr
        }

        enum CodingKeys: String, CodingKey {
            case id, ip, aal, amr
            case createdAt = "created_at"
            case lastUsedAt = "last_used_at"
            case expiresAt = "expires_at"
            case revokedAt = "revoked_at"
            case revokeReason = "revoke_reason"
            case userAgent = "user_agent"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(lastUsedAt, forKey: .lastUsedAt)
            try c.encode(expiresAt, forKey: .expiresAt)
            try c.encode(revokedAt, forKey: .revokedAt)
            try c.encode(revokeReason, forKey: .revokeReason)
            try c.encode(userAgent, forKey: .userAgent)
            try c.encode(ip, forKey: .ip)
            try c.encode(aal, forKey: .aal)
            try c.encode(amr, forKey: .amr)
        }
    }
}
