import Foundation
import PostgresNIO

/// Column lists and row decoders of the models, decoding by column name (never by position), so
/// a select list in another order or a column added later cannot shift a value into the wrong
/// field. Written out, because the models' `Codable` conformances describe the API and GRDB,
/// not PostgreSQL's wire types.
enum PostgresRows {
    static let userColumns = "users.id, users.email, users.email_key, users.password, users.first_name, users.last_name, "
        + "users.is_active, users.is_staff, users.is_superuser, users.is_verified, users.date_joined, users.last_login"

    static func user(_ row: PostgresRow) throws -> User {
        let row = NamedRow(row)
        var user = User(
            id: try row["id"], email: try row["email"], password: try row["password"], firstName: try row["first_name"],
            lastName: try row["last_name"], isActive: try row["is_active"], isStaff: try row["is_staff"],
            isSuperuser: try row["is_superuser"], isVerified: try row["is_verified"], dateJoined: try row.date("date_joined"),
            lastLogin: try row.optionalDate("last_login"))
        user.emailKey = try row["email_key"]
        return user
    }

    static let sessionColumns = "id, user_id, refresh_jti, created_at, last_used_at, expires_at, revoked_at, revoke_reason, user_agent, ip"

    static func session(_ row: PostgresRow) throws -> LoginSession {
        let row = NamedRow(row)
        var session = LoginSession(
            id: try row["id"], userId: try row["user_id"], refreshJti: try row["refresh_jti"], createdAt: try row.date("created_at"),
            expiresAt: try row.date("expires_at"), userAgent: try row["user_agent"], ip: try row["ip"])
        session.lastUsedAt = try row.date("last_used_at")
        session.revokedAt = try row.optionalDate("revoked_at")
        session.revokeReason = try row["revoke_reason"]
        return session
    }

    static let codeColumns = "id, purpose, user_id, email_key, email, code_hash, created_at, expires_at, attempts, used_at"

    static func code(_ row: PostgresRow) throws -> OneTimeCode? {
        let row = NamedRow(row)
        guard let purpose = CodePurpose(rawValue: try row["purpose"]) else { return nil }
        var code = OneTimeCode(
            purpose: purpose, userId: try row["user_id"], email: try row["email"], codeHash: try row["code_hash"],
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
        code.id = try row["id"]
        code.emailKey = try row["email_key"]
        code.attempts = try row["attempts"]
        code.usedAt = try row.optionalDate("used_at")
        return code
    }

    static let jobColumns = "id, kind, payload, state, attempts, run_at, lease_owner, lease_expires_at, last_error, created_at, updated_at, nonce"

    static func job(_ row: PostgresRow) throws -> MailJob? {
        let row = NamedRow(row)
        guard let kind = MailJob.Kind(rawValue: try row["kind"]), let state = MailJob.State(rawValue: try row["state"]) else { return nil }
        var job = MailJob(kind: kind, payload: .init(userId: 0, email: ""), now: try row.date("created_at"), nonce: try row["nonce"])
        job.id = try row["id"]
        job.payload = try row["payload"]
        job.state = state
        job.attempts = try row["attempts"]
        job.runAt = try row.date("run_at")
        job.leaseOwner = try row["lease_owner"]
        job.leaseExpiresAt = try row.optionalDate("lease_expires_at")
        job.lastError = try row["last_error"]
        job.updatedAt = try row.date("updated_at")
        return job
    }
}

/// A row read by column name; dates are stored as Unix seconds.
struct NamedRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    subscript<T: PostgresDecodable>(_ column: String) -> T {
        get throws { try row[column].decode(T.self) }
    }

    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try row[column].decode(Double.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try row[column].decode(Double?.self).map { Date(timeIntervalSince1970: $0) }
    }
}
