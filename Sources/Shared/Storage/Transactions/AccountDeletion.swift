import Foundation

/// The one home of deleting an account, for the user themselves and for staff alike: the user
/// row goes, and with it (by the foreign keys' cascade) sessions, codes, second factors and
/// login challenges; mail jobs of the account, send cooldowns and rate-limit counters that hold
/// its address go too. Audit events stay, naming the id only (they never hold an address or a
/// name). The deletion notice is queued in the same transaction; `MailQueueTransitions`
/// forgets its address once it is sent. The last active staff account is never deleted.
enum AccountDeletion {
    static func delete(id: Int64, throttleKeys: @escaping @Sendable (User) -> [String], notice: @escaping @Sendable (User) -> MailJob,
                       now: Date) -> TransactionStep<AdminOutcome<User>> {
        .writes([AdminRules.lockStaff], then: .read(AdminRules.lockedUser(id: id)) { rows in
            guard let user = try rows.first.map(User.init) else { return .done(.notFound) }
            return try AdminRules.keepingOneStaff(user, removesStaff: true, refused: .lastStaff) {
                let keys = throttleKeys(user)
                var statements = [
                    // Cooldowns of the address and of an address an e-mail change was sending a code to.
                    SQLStatement("""
                        DELETE FROM send_cooldowns WHERE subject = ? OR subject IN (SELECT email_key FROM one_time_codes WHERE user_id = ?)
                        """, user.emailKey, id),
                    SQLStatement("DELETE FROM mail_jobs WHERE user_id = ?", id),
                    SQLStatement("DELETE FROM users WHERE id = ?", id),
                ]
                if !keys.isEmpty {
                    statements.insert(SQLStatement(
                        "DELETE FROM throttle_hits WHERE key IN (\(SQLStatement.placeholders(keys.count)))", arguments: keys.map(\.sqlValue)),
                        at: 0)
                }
                return .writes(statements + Statements.insert(notice(user)), then: .done(.done(user)))
            }
        })
    }
}
