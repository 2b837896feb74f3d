import Foundation

// The models as rows: the column lists the statements select and the decoders that read them
// by name (never by position), so a select list in another order or a column added later
// cannot shift a value into the wrong field. Written out, because the models' `Codable`
// conformances describe the API, not the tables.

extension User {
    static let columns = "id, email, email_key, password, first_name, last_name, is_active, is_staff, is_superuser, "
        + "is_verified, date_joined, last_login"

    /// The columns qualified by `users.`, for joins.
    static let qualifiedColumns = columns.split(separator: ",")
        .map { "users." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    /// The columns and whether MFA is on, for the reads whose user is shown (`FROM users`).
    static let shownColumns = qualifiedColumns + ", " + mfaEnabled

    /// One primary-key probe of `mfa_factors`.
    static let mfaEnabled = """
        EXISTS (SELECT 1 FROM mfa_factors WHERE mfa_factors.user_id = users.id AND mfa_factors.confirmed_at IS NOT NULL) AS mfa_enabled
        """

    init(_ row: SQLRow) throws {
        self.init(
            id: try row.int64("id"), email: try row.text("email"), password: try row.text("password"),
            firstName: try row.text("first_name"), lastName: try row.text("last_name"), isActive: try row.bool("is_active"),
            isStaff: try row.bool("is_staff"), isSuperuser: try row.bool("is_superuser"), isVerified: try row.bool("is_verified"),
            dateJoined: try row.date("date_joined"), lastLogin: try row.optionalDate("last_login"))
        emailKey = try row.text("email_key")
        // Absent from the writes' RETURNING lists: the caller keeps what it knew.
        mfaEnabled = (try? row.bool("mfa_enabled")) ?? false
    }
}

extension OneTimeCode {
    static let columns = "id, purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at"

    /// Nil for a purpose this version does not know.
    init?(_ row: SQLRow) throws {
        guard let purpose = CodePurpose(rawValue: try row.text("purpose")) else { return nil }
        self.init(purpose: purpose, userId: try row.int64("user_id"), email: try row.text("email"), codeHash: try row.bytes("code_hash"),
                  createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
        id = try row.int64("id")
        emailKey = try row.text("email_key")
        attempts = try row.int("attempts")
        usedAt = try row.optionalDate("used_at")
    }
}

extension LoginSession {
    static let columns = "id, user_id, refresh_jti, created_at, last_used_at, expires_at, revoked_at, revoke_reason, user_agent, ip, aal, amr"

    init(_ row: SQLRow) throws {
        self.init(
            id: try row.text("id"), userId: try row.int64("user_id"), refreshJti: try row.text("refresh_jti"),
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"), userAgent: try row.text("user_agent"),
            ip: try row.text("ip"), level: SessionLevel(aal: try row.int("aal"), storedMethods: try row.text("amr")))
        lastUsedAt = try row.date("last_used_at")
        revokedAt = try row.optionalDate("revoked_at")
        revokeReason = try row.optionalText("revoke_reason")
    }
}

extension MailJob {
    static let columns = "id, kind, payload, state, attempts, run_at, lease_owner, lease_expires_at, last_error, created_at, "
        + "updated_at, nonce, user_id"

    /// Nil for a kind or state this version does not know: such a job is left to the version
    /// that queued it.
    init?(_ row: SQLRow) throws {
        guard let kind = Kind(rawValue: try row.text("kind")), let state = State(rawValue: try row.text("state")) else { return nil }
        self.init(kind: kind, payload: .init(userId: 0, email: ""), now: try row.date("created_at"), nonce: try row.text("nonce"))
        id = try row.int64("id")
        payload = try row.text("payload")
        self.state = state
        attempts = try row.int("attempts")
        runAt = try row.date("run_at")
        leaseOwner = try row.optionalText("lease_owner")
        leaseExpiresAt = try row.optionalDate("lease_expires_at")
        lastError = try row.optionalText("last_error")
        updatedAt = try row.date("updated_at")
        userId = try row.optionalInt64("user_id")
    }
}

extension AuditRecord {
    static let columns = "id, event, user_id, actor_id, ip, user_agent, detail, created_at"

    /// Nil for an event this version does not know (written by a newer one).
    init?(_ row: SQLRow) throws {
        guard let event = AuditEvent(rawValue: try row.text("event")) else { return nil }
        self.init(event: event, userId: try row.optionalInt64("user_id"), actorId: try row.optionalInt64("actor_id"), client: nil,
                  detail: try row.text("detail"), at: try row.date("created_at"))
        id = try row.int64("id")
        ip = try row.text("ip")
        userAgent = try row.text("user_agent")
    }
}
