/// Every table of the schema, and what becomes of the personal data in it: where the caller's
/// export shows it, how an account deletion removes it, and what bounds how long it is kept.
/// A new table is not done until it is classified here: `PersonalDataCoverageTests` fails for a
/// table of the schema missing from this list, for a table with a `user_id` or an address column
/// classified as holding nothing personal, and for a classification the rules do not honour (a
/// table said to be deleted or purged that the deletion or the purge never touches, a cascade
/// the schema does not declare, an export field the export lacks).
public enum PersonalData {
    public struct Table: Sendable {
        public let name: String
        public let export: Export
        public let deletion: Deletion
        public let retention: Retention
    }

    /// Where `GET /me/export/` shows the table's rows.
    public enum Export: Sendable, Equatable {
        /// Under this top-level key of the export.
        case exported(field: String)
        /// Not shown, and why (a secret, or an operational counter that says nothing new).
        case notExported(because: String)
    }

    /// What an account deletion does to the table's rows of that account.
    public enum Deletion: Sendable, Equatable {
        /// Deleted with the `users` row by the foreign key's `ON DELETE CASCADE`.
        case cascadesFromUsers
        /// Deleted by the deletion rule itself (`deleteAccount`): the rows hold the address, not the id.
        case deletedByAccountDeletion
        /// Kept, with nothing left that names the person, and why.
        case kept(because: String)
        /// An index of another table, kept in step with it by the database.
        case followsTable(String)
    }

    /// What bounds how long the rows are kept.
    public enum Retention: Sendable, Equatable {
        /// Deleted by the periodic purge (the API's `purgeExpired` and `purgeHits`, the worker's `pruneDone`).
        case purged
        /// As long as the account: gone with it.
        case whileTheAccountLives
    }

    /// Tables that hold nothing about a person.
    public static let impersonal: [String: String] = [
        "signing_keys": "the service's own keys",
        "oauth_clients": "the applications registered with the OpenID Provider, not their users",
    ]

    public static let tables: [Table] = [
        Table(name: "users", export: .exported(field: "user"), deletion: .deletedByAccountDeletion, retention: .whileTheAccountLives),
        Table(name: "login_sessions", export: .exported(field: "sessions"), deletion: .cascadesFromUsers, retention: .purged),
        Table(name: "one_time_codes", export: .notExported(because: "a code's keyed hash is a secret; the address is the user's own"),
              deletion: .cascadesFromUsers, retention: .purged),
        Table(name: "send_cooldowns", export: .notExported(because: "when the last code mail went, an operational counter"),
              deletion: .deletedByAccountDeletion, retention: .purged),
        Table(name: "mail_jobs", export: .exported(field: "mail_jobs"), deletion: .deletedByAccountDeletion, retention: .purged),
        Table(name: "auth_events", export: .exported(field: "audit_events"),
              deletion: .kept(because: "the audit trail names the account by id only, never by address or name"), retention: .purged),
        Table(name: "throttle_hits", export: .notExported(because: "rate-limit counters"), deletion: .deletedByAccountDeletion,
              retention: .purged),
        Table(name: "mfa_factors", export: .exported(field: "mfa"), deletion: .cascadesFromUsers, retention: .whileTheAccountLives),
        Table(name: "mfa_recovery_codes", export: .exported(field: "mfa"), deletion: .cascadesFromUsers, retention: .whileTheAccountLives),
        Table(name: "mfa_challenges", export: .notExported(because: "a login's second-step token, a secret that lives five minutes"),
              deletion: .cascadesFromUsers, retention: .purged),
        Table(name: "oauth_interactions",
              export: .notExported(because: "a pending sign-in at the OpenID Provider, a secret that lives ten minutes"),
              deletion: .cascadesFromUsers, retention: .purged),
        Table(name: "oauth_grants", export: .exported(field: "grants"), deletion: .cascadesFromUsers, retention: .whileTheAccountLives),
        Table(name: "oauth_codes", export: .notExported(because: "an authorization code's hash, a secret that lives a minute"),
              deletion: .cascadesFromUsers, retention: .purged),
        Table(name: "oauth_token_sessions",
              export: .notExported(because: "the working state of a client's access (its refresh token's hash); the grant is exported"),
              deletion: .cascadesFromUsers, retention: .purged),
        Table(name: "users_search", export: .exported(field: "user"), deletion: .followsTable("users"), retention: .whileTheAccountLives),
    ]
}
