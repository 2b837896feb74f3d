import Foundation

/// The one home of the provider's code exchange and token sessions, for both databases.
extension TransactionRunner {
    /// Spends a code, atomically: of simultaneous exchanges on any replicas exactly one finds it
    /// unused (the row lock). A used code presented again ends the token session it opened.
    /// `verifies` decides the PKCE verifier against the code's challenge.
    public func redeemAuthorizationCode(codeHash: Data, clientId: String, redirectURI: String, now: Date,
                                        verifies: @escaping @Sendable (String?) -> Bool,
                                        open: @escaping @Sendable (AuthorizationCode, LoginSession) -> TokenSession) async throws -> CodeRedemptionOutcome {
        try await run(.read(SQLStatement(
            "SELECT \(ProviderRules.codeColumns), token_session_id FROM oauth_codes WHERE code_hash = ?", codeHash, lock: .forUpdate(of: nil))) { rows in
            guard let row = rows.first else { return .done(.invalidGrant) }
            let code = try TokenSessionRules.code(row)
            if code.usedAt != nil {
                guard let opened = try row.optionalText("token_session_id") else { return .done(.reused(code)) }
                return .write(SQLStatement("UPDATE oauth_token_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", now, opened)) { _ in
                    .done(.reused(code))
                }
            }
            guard code.expiresAt > now, code.clientId == clientId, code.redirectURI == redirectURI, verifies(code.codeChallenge) else {
                return .done(.invalidGrant)
            }
            return .read([
                SQLStatement("SELECT \(LoginSession.columns) FROM login_sessions WHERE id = ? AND \(SessionSQL.active)", code.sessionId, now,
                             lock: .forUpdate(of: nil)),
                SQLStatement("SELECT \(User.shownColumns) FROM users WHERE id = ? AND is_active = ?", code.userId, true,
                             lock: .forUpdate(of: "users")),
            ]) { found in
                guard let session = try found[0].first.map(LoginSession.init), let user = try found[1].first.map(User.init) else {
                    return .done(.invalidGrant)
                }
                let tokenSession = open(code, session)
                return .writes([
                    SQLStatement("UPDATE oauth_codes SET used_at = ?, token_session_id = ? WHERE code_hash = ?", now, tokenSession.id, codeHash),
                    TokenSessionRules.insert(tokenSession),
                ], then: .done(.exchanged(CodeExchange(code: code, user: user, tokenSession: tokenSession))))
            }
        })
    }

    /// Rotates a refresh token (`{id}.{secret}`): the presented secret's hash must be the
    /// session's current one; a rotated-out one ends the session (reuse: someone else holds a
    /// copy). An offline session lives on after its sign-in session; one without `offline_access`
    /// never has a refresh token.
    public func rotateProviderRefresh(sessionId: String, presentedHash: Data, newHash: Data, clientId: String, scopes requested: [String]?,
                                      now: Date) async throws -> ProviderRefreshOutcome {
        try await run(.read(SQLStatement(
            "SELECT \(TokenSessionRules.columns) FROM oauth_token_sessions WHERE id = ? AND client_id = ? AND ended_at IS NULL "
                + "AND expires_at > ? AND refresh_hash IS NOT NULL", sessionId, clientId, now, lock: .forUpdate(of: nil))) { rows in
            guard let session = try rows.first.map(TokenSessionRules.session) else { return .done(.invalidGrant) }
            guard session.refreshHash == presentedHash else {
                let reused = session
                return .write(SQLStatement("UPDATE oauth_token_sessions SET ended_at = ? WHERE id = ?", now, sessionId)) { _ in
                    .done(.reused(reused))
                }
            }
            // Checked before anything changes: a refused scope leaves the presented token current.
            if let requested, !Set(requested).isSubset(of: Set(session.scopes)) { return .done(.invalidScope) }
            return .read(SQLStatement("SELECT \(User.shownColumns) FROM users WHERE id = ? AND is_active = ?", session.userId, true,
                                      lock: .forUpdate(of: "users"))) { users in
                guard let user = try users.first.map(User.init) else { return .done(.invalidGrant) }
                var changed = session
                changed.refreshHash = newHash
                let rotated = changed
                return .write(SQLStatement("UPDATE oauth_token_sessions SET refresh_hash = ? WHERE id = ?", newHash, sessionId)) { _ in
                    .done(.rotated(rotated, user))
                }
            }
        })
    }

    /// The user of a live token session (userinfo): not ended, not expired, and, without
    /// `offline_access`, its sign-in session still active. nil otherwise.
    public func tokenSessionUser(id: String, now: Date) async throws -> (TokenSession, User)? {
        try await snapshot(.read(SQLStatement("""
            SELECT \(TokenSessionRules.columns) FROM oauth_token_sessions
            WHERE id = ? AND ended_at IS NULL AND expires_at > ?
              AND (offline = ? OR EXISTS (SELECT 1 FROM login_sessions WHERE login_sessions.id = sign_in_session_id AND \(SessionSQL.active)))
            """, id, now, true, now)) { rows in
            guard let session = try rows.first.map(TokenSessionRules.session) else { return .done(nil) }
            return .read(SQLStatement("SELECT \(User.shownColumns) FROM users WHERE id = ? AND is_active = ?", session.userId, true)) { users in
                .done(try users.first.map(User.init).map { (session, $0) })
            }
        })
    }
}

enum TokenSessionRules {
    static let columns = "id, user_id, client_id, sign_in_session_id, scopes, offline, refresh_hash, auth_time, aal, amr, created_at, expires_at"

    static func insert(_ session: TokenSession) -> SQLStatement {
        SQLStatement("INSERT INTO oauth_token_sessions (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     session.id, session.userId, session.clientId, session.signInSessionId, session.scopes.joined(separator: " "),
                     session.offline, session.refreshHash, session.authTime, session.level.aal, session.level.storedMethods,
                     session.createdAt, session.expiresAt)
    }

    static func session(_ row: SQLRow) throws -> TokenSession {
        TokenSession(
            id: try row.text("id"), userId: try row.int64("user_id"), clientId: try row.text("client_id"),
            signInSessionId: try row.text("sign_in_session_id"), scopes: try row.text("scopes").split(separator: " ").map(String.init),
            offline: try row.bool("offline"), refreshHash: try row.optionalBytes("refresh_hash"), authTime: try row.date("auth_time"),
            level: SessionLevel(aal: Int(try row.int64("aal")), amr: try row.text("amr").split(separator: " ").map(String.init)),
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
    }

    static func code(_ row: SQLRow) throws -> AuthorizationCode {
        AuthorizationCode(
            codeHash: try row.bytes("code_hash"), clientId: try row.text("client_id"), userId: try row.int64("user_id"),
            sessionId: try row.text("session_id"), redirectURI: try row.text("redirect_uri"),
            scopes: try row.text("scopes").split(separator: " ").map(String.init), nonce: try row.optionalText("nonce"),
            codeChallenge: try row.optionalText("code_challenge"), createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
            usedAt: try row.optionalDate("used_at"))
    }
}
