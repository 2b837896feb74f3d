import Foundation

/// The account store, implemented once for every backend that runs statements: each backend's
/// `AuthStore` conformance is this, over its `TransactionRunner`.
extension TransactionRunner {
    public func redeemCode(
        purpose: CodePurpose, userId: Int64, emailKey: String?, now: Date,
        matches: @escaping @Sendable (OneTimeCode) -> Bool, effect: CodeEffect
    ) async throws -> CodeRedemption {
        do {
            return try await run(CodeRedemptionRule.redeem(
                purpose: purpose, userId: userId, emailKey: emailKey, now: now, matches: matches, effect: effect))
        } catch StorageError.uniqueViolation {
            // Only the e-mail change writes a unique column: its address was taken meanwhile.
            return .emailTaken
        }
    }

    public func rotate(sessionId: String, userId: Int64, presentedJti: String, newJti: String, newExpiry: Date,
                       level: SessionLevel, now: Date) async throws -> SessionChange {
        if try await execute(SessionRotation.rotateIfCurrent(
            sessionId: sessionId, userId: userId, presentedJti: presentedJti, newJti: newJti, newExpiry: newExpiry, level: level,
            now: now)) == 1 {
            return .rotated(level)
        }
        return try await run(SessionRotation.rotate(
            sessionId: sessionId, userId: userId, presentedJti: presentedJti, newJti: newJti, newExpiry: newExpiry, now: now))
    }

    public func endSession(sessionId: String, userId: Int64, presentedJti: String, now: Date) async throws -> SessionChange {
        if try await execute(SessionRotation.endIfCurrent(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now)) == 1 {
            return .done
        }
        return try await run(SessionRotation.end(sessionId: sessionId, userId: userId, presentedJti: presentedJti, now: now))
    }
}

extension TransactionRunner {
    public func createUser(_ user: User) async throws -> User {
        try await creating { try await run(AccountWrites.create(user) { .done(($0, nil)) }).0 }
    }

    public func createUserQueueingVerification(
        _ user: User, session: LoginSession.Draft, mail: MailJob.Draft, now: Date
    ) async throws -> (user: User, session: LoginSession) {
        let (created, opened) = try await creating { try await run(AccountWrites.signup(user, session: session, mail: mail, now: now)) }
        return (created, opened ?? session.session(for: created.id ?? 0))
    }

    /// A transaction that inserts a user: the unique index on the address answers `emailTaken`.
    private func creating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch StorageError.uniqueViolation {
            throw StorageError.emailTaken
        }
    }

    public func queueMail(_ job: MailJob, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> Bool {
        try await run(AccountWrites.queue(job, cooldownSubject: cooldownSubject, cooldown: cooldown, now: now))
    }

    public func storeCode(_ code: OneTimeCode) async throws {
        try await run(AccountWrites.store(code))
    }

    public func changePassword(userId: Int64, from oldHash: String, to newHash: String, callerSession: String,
                               session: LoginSession, now: Date) async throws -> Bool {
        try await run(AccountWrites.changePassword(
            userId: userId, from: oldHash, to: newHash, callerSession: callerSession, session: session, now: now))
    }
}

extension TransactionRunner {
    public func recordLogin(userId: Int64, session: LoginSession, upgrade: (from: String, to: String)?, now: Date) async throws {
        try await run(SessionWrites.login(userId: userId, session: session, upgrade: upgrade, now: now))
    }

    public func revokeSession(userId: Int64, sessionId: String, now: Date) async throws -> Bool {
        try await run(SessionWrites.revoke(userId: userId, sessionId: sessionId, now: now))
    }

    public func revokeAllSessions(userId: Int64, now: Date) async throws -> Int {
        try await run(SessionWrites.revokeAll(userId: userId, now: now))
    }
}

extension TransactionRunner {
    public func user(emailKey: String) async throws -> User? {
        try await query(AccountReads.user(emailKey: emailKey)).first.map(User.init)
    }

    public func user(id: Int64) async throws -> User? {
        try await query(Statements.user(id: id)).first.map(User.init)
    }

    public func updateNames(userId: Int64, firstName: String?, lastName: String?) async throws -> User? {
        try await run(AccountWrites.updateNames(userId: userId, firstName: firstName, lastName: lastName))
    }

    public func cooldownRemaining(kind: MailJob.Kind, cooldownSubject: String, cooldown: TimeInterval, now: Date) async throws -> TimeInterval {
        let last = try await query(AccountReads.lastSent(kind: kind, subject: cooldownSubject)).first.map { try $0.date("last_sent_at") }
        return AccountReads.cooldownRemaining(lastSentAt: last, cooldown: cooldown, now: now)
    }

    public func sessions(userId: Int64, now: Date) async throws -> [LoginSession] {
        try await query(SessionReads.sessions(userId: userId, now: now)).map(LoginSession.init)
    }

    public func authenticatedUser(sessionId: String, userId: Int64, now: Date) async throws -> SessionUser? {
        try await query(SessionReads.authenticatedUser(sessionId: sessionId, userId: userId, now: now)).first.map { row in
            SessionUser(user: try User(row), level: SessionLevel(aal: try row.int("aal"), storedMethods: try row.text("amr")))
        }
    }

    public func isRefreshCurrent(sessionId: String, userId: Int64, jti: String, now: Date) async throws -> Bool {
        try await !query(SessionReads.currentRefresh(sessionId: sessionId, userId: userId, jti: jti, now: now)).isEmpty
    }

    public func purgeExpired(now: Date, retention: RetentionPolicy, limit: Int) async throws -> Int {
        try await run(Retention.purgeExpired(now: now, policy: retention, limit: limit))
    }

    public func recordEvent(_ record: AuditRecord) async throws {
        _ = try await execute(Statements.insert(record))
    }
}
