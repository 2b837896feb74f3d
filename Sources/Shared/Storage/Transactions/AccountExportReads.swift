import Foundation

/// What `GET /me/export/` reads, from one snapshot: the user, every stored session, the audit
/// events and mail jobs of the account, and whether MFA is on. The rows are read whole here;
/// what is shown of them (never a hash, code, secret or token) is the response's choice.
enum AccountExportReads {
    static func export(userId: Int64) -> TransactionStep<AccountExport?> {
        .read(Statements.user(id: userId)) { rows in
            guard let user = try rows.first.map(User.init) else { return .done(nil) }
            return .read(SQLStatement(
                "SELECT \(LoginSession.columns) FROM login_sessions WHERE user_id = ? ORDER BY created_at DESC, id DESC", userId
            )) { rows in
                let sessions = try rows.map(LoginSession.init)
                return .read(SQLStatement("SELECT \(AuditRecord.columns) FROM auth_events WHERE user_id = ? ORDER BY id", userId)) { rows in
                    let events = try rows.compactMap(AuditRecord.init)
                    return .read(SQLStatement("SELECT \(MailJob.columns) FROM mail_jobs WHERE user_id = ? ORDER BY id", userId)) { rows in
                        let jobs = try rows.compactMap(MailJob.init)
                        return .read(MFARules.status(userId: userId)) { rows in
                            .done(AccountExport(
                                user: user, sessions: sessions, events: events, mailJobs: jobs,
                                totp: try (rows.first?.int("totp") ?? 0) > 0, recoveryCodesLeft: try rows.first?.int("codes_left") ?? 0))
                        }
                    }
                }
            }
        }
    }
}
