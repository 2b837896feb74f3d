/// The admin's search: a substring of the address (its lower-cased key) or of the names,
/// case-insensitive. With three characters or more it is answered by a trigram index of `text`
/// on each database — SQLite's FTS5 table `users_search` (its rowid is the user's id), and
/// PostgreSQL's pg_trgm GIN index over the expression — so a search costs its matches, not the
/// table; shorter terms match most users anyway and scan.
enum UserSearch {
    /// What both databases index (PostgreSQL's expression index is over exactly this).
    static let text = "(users.email_key || ' ' || lower(users.first_name) || ' ' || lower(users.last_name))"

    /// The condition, with one `?` for the raw term. The term is escaped for `LIKE` (or quoted
    /// as an FTS5 phrase) in SQL, so no character of it is a wildcard or an operator.
    static func condition(_ term: String) -> String {
        term.unicodeScalars.count >= 3 ? "{user search}" : scan
    }

    /// `LIKE '%term%'`, the term's `\`, `%` and `_` escaped.
    static let scan = "\(text) LIKE '%' || replace(replace(replace(lower(?), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' ESCAPE '\\'"

    /// The indexed form of the condition on each database (`SQLStatement.text` puts it in).
    static let sqliteIndexed = "users.id IN (SELECT rowid FROM users_search WHERE users_search MATCH '\"' || replace(?, '\"', '\"\"') || '\"')"
    static let postgresIndexed = scan
}
