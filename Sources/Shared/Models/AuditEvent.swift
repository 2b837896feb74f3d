import Foundation

/// What the audit trail records: security-relevant events with who and from where, never secrets.
public enum AuditEvent: String, Codable, Sendable, CaseIterable {
    case signup
    case loginSucceeded = "login_succeeded"
    case loginFailed = "login_failed"
    case logout
    case logoutAll = "logout_all"
    case refreshReuseDetected = "refresh_reuse_detected"
    case codeSent = "code_sent"
    case codeVerified = "code_verified"
    case codeLocked = "code_locked"
    case passwordReset = "password_reset"
    case passwordChanged = "password_changed"
    case emailChanged = "email_changed"
    case sessionRevoked = "session_revoked"
    case mfaSetupStarted = "mfa_setup_started"
    case mfaEnabled = "mfa_enabled"
    case mfaDisabled = "mfa_disabled"
    /// The password was right; the login waits for the second factor.
    case mfaChallenged = "mfa_challenged"
    case mfaFailed = "mfa_failed"
    case recoveryCodesRegenerated = "recovery_codes_regenerated"
    case accountDeleted = "account_deleted"
    case dataExported = "data_exported"
    // A staff user's actions, each naming the actor (`actor_id`); `user_id` is the account acted on.
    case adminUserUpdated = "admin_user_updated"
    case adminUserDeleted = "admin_user_deleted"
    case adminLogoutAll = "admin_logout_all"
    case adminCodeSent = "admin_code_sent"
    case adminMFAReset = "admin_mfa_reset"
    case adminMailRequeued = "admin_mail_requeued"
    // The OpenID Provider's clients (actor: the staff user; none from the command line).
    case clientCreated = "client_created"
    case clientDeleted = "client_deleted"
    case clientSecretRotated = "client_secret_rotated"
    /// The provider gave a client a code (`detail`: the client and the scopes).
    case oauthAuthorized = "oauth_authorized"
    case oauthConsentGranted = "oauth_consent_granted"
    case oauthTokenIssued = "oauth_token_issued"
    /// A used code presented again: refused, and the token session it opened ended.
    case oauthCodeReuse = "oauth_code_reuse"
}

/// One row of `auth_events` (kept for `AUTH_AUDIT_RETENTION_DAYS`).
public struct AuditRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var event: AuditEvent
    public var userId: Int64?
    /// The staff user who acted, for an admin action; nil when the user acted themselves.
    public var actorId: Int64?
    public var ip: String
    public var userAgent: String
    /// A short non-secret detail: the code purpose, the failure reason.
    public var detail: String
    public var createdAt: Date

    public init(event: AuditEvent, userId: Int64?, actorId: Int64? = nil, client: ClientInfo?, detail: String = "", at date: Date) {
        self.event = event
        self.userId = userId
        self.actorId = actorId
        self.ip = client?.ip ?? ""
        self.userAgent = client?.userAgent ?? ""
        self.detail = detail
        self.createdAt = date
    }
}
