import Foundation
import PostgresNIO

/// Column lists and row decoders of the models: written out, because the models' `Codable`
/// conformances describe the API and GRDB, not PostgreSQL's wire types.
enum PostgresRows {
    static let userColumns = "users.id, users.email, users.email_key, users.password, users.first_name, users.last_name, "
        + "users.is_active, users.is_staff, users.is_superuser, users.is_verified, users.date_joined, users.last_login"

    static func user(_ row: PostgresRow) throws -> User {
        let (id, email, emailKey, password, firstName, lastName, isActive, isStaff, isSuperuser, isVerified, joined, lastLogin) =
            try row.decode((Int64, String, String, String, String, String, Bool, Bool, Bool, Bool, Double, Double?).self)
        var user = User(
            id: id, email: email, password: password, firstName: firstName, lastName: lastName, isActive: isActive,
            isStaff: isStaff, isSuperuser: isSuperuser, isVerified: isVerified,
            dateJoined: Date(timeIntervalSince1970: joined), lastLogin: lastLogin.map { Date(timeIntervalSince1970: $0) })
        user.emailKey = emailKey
        return user
    }

    static let sessionColumns = "id, user_id, refresh_jti, created_at, last_used_at, expires_at, revoked_at, revoke_reason, user_agent, ip"

    static func session(_ row: PostgresRow) throws -> LoginSession {
        let (id, userId, jti, created, lastUsed, expires, revoked, reason, userAgent, ip) =
            try row.decode((String, Int64, String, Double, Double, Double, Double?, String?, String, String).self)
        var session = LoginSession(
            id: id, userId: userId, refreshJti: jti, createdAt: Date(timeIntervalSince1970: created),
            expiresAt: Date(timeIntervalSince1970: expires), userAgent: userAgent, ip: ip)
        session.lastUsedAt = Date(timeIntervalSince1970: lastUsed)
        session.revokedAt = revoked.map { Date(timeIntervalSince1970: $0) }
        session.revokeReason = reason
        return session
    }

    static let codeColumns = "id, purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at"

    static func code(_ row: PostgresRow) throws -> OneTimeCode? {
        let (id, purpose, userId, emailKey, email, hash, created, expires, attempts, used) =
            try row.decode((Int64, String, Int64, String, String, Data, Double, Double, Int, Double?).self)
        guard let purpose = CodePurpose(rawValue: purpose) else { return nil }
        var code = OneTimeCode(
            purpose: purpose, userId: userId, email: email, codeHash: hash,
            createdAt: Date(timeIntervalSince1970: created), expiresAt: Date(timeIntervalSince1970: expires))
        code.id = id
        code.emailKey = emailKey
        code.attempts = attempts
        code.usedAt = used.map { Date(timeIntervalSince1970: $0) }
        return code
    }

    static let jobColumns = "id, kind, payload, state, attempts, run_at, lease_owner, lease_expires_at, last_error, created_at, updated_at, nonce"

    static func job(_ row: PostgresRow) throws -> MailJob? {
        let (id, kind, payload, state, attempts, runAt, owner, leaseExpires, lastError, created, updated, nonce) =
            try row.decode((Int64, String, String, String, Int, Double, String?, Double?, String?, Double, Double, String).self)
        guard let kind = MailJob.Kind(rawValue: kind), let state = MailJob.State(rawValue: state) else { return nil }
        var job = MailJob(kind: kind, payload: .init(userId: 0, email: ""), now: Date(timeIntervalSince1970: created), nonce: nonce)
        job.id = id
        job.payload = payload
        job.state = state
        job.attempts = attempts
        job.runAt = Date(timeIntervalSince1970: runAt)
        job.leaseOwner = owner
        job.leaseExpiresAt = leaseExpires.map { Date(timeIntervalSince1970: $0) }
        job.lastError = lastError
        job.updatedAt = Date(timeIntervalSince1970: updated)
        return job
    }
}
