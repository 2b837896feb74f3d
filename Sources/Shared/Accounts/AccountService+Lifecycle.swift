import Foundation

/// Password reset and change, e-mail change, and session management.
extension AccountService {
    // MARK: Password reset

    /// Queues a reset code for an active account (60 s cooldown); answers nothing about the address.
    public func requestPasswordReset(_ object: [String: JSONValue], client: ClientInfo) async throws {
        try await throttle(.passwordReset, keys: ["ip:" + client.ip])
        let request = try EmailRequest(object)
        let key = EmailAddress.key(request.email)
        try await throttleAddress(.passwordReset, key: "email:" + key, client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, user.isActive else { return }
        _ = try await store.queueMail(
            kind: .passwordReset, payload: .init(userId: id, email: user.email),
            cooldownSubject: key, cooldown: Self.sendCooldown, now: clock.now())
    }

    /// Checks the code first (a wrong one counts as a try), then the new password (a refused one
    /// neither spends the code nor counts), then sets the password and ends every session.
    public func confirmPasswordReset(_ object: [String: JSONValue], client: ClientInfo) async throws {
        try await throttle(.passwordReset, keys: ["ip:" + client.ip])
        var reader = FieldReader(object)
        let email = reader.requiredString("email").map(EmailAddress.normalize)
        if let email, !EmailAddress.isValid(email) { reader.add("email", "Enter a valid email address.") }
        let otp = reader.requiredString("otp")
        if let otp, !CodeHasher.isWellFormed(otp) { reader.add("otp", "Enter the 6-digit code.") }
        let newPassword = reader.requiredString("new_password", trim: false)
        try reader.finish()
        guard let email, let otp, let newPassword else { throw APIError.serverError }
        let key = EmailAddress.key(email)
        // Its own bucket: someone requesting resets for an address must not block its owner's confirmation.
        try await throttleAddress(.passwordReset, key: "confirm:" + key, client: client)
        guard let user = try await store.user(emailKey: key), let id = user.id, user.isActive else { throw APIError.otpInvalid }
        let codes = self.codes
        let matches: @Sendable (OneTimeCode) -> Bool = {
            codes.matches(code: otp, purpose: .passwordReset, emailKey: key, stored: $0.codeHash)
        }
        try await settle(try await store.redeemCode(
            purpose: .passwordReset, userId: id, emailKey: key, now: clock.now(), matches: matches, effect: .checkOnly),
            purpose: .passwordReset, userId: id, client: client, auditSuccess: false)
        let problems = validator.problems(newPassword, attributes: .init(email: user.email, firstName: user.firstName, lastName: user.lastName))
        if !problems.isEmpty { throw APIError.fields(["new_password": problems]) }
        let hash = try await hasher.hash(newPassword)
        try await settle(try await store.redeemCode(
            purpose: .passwordReset, userId: id, emailKey: key, now: clock.now(), matches: matches, effect: .resetPassword(hash: hash)),
            purpose: .passwordReset, userId: id, client: client)
        await audit.record(.passwordReset, userId: id, client: client, detail: "all sessions revoked")
    }

    // MARK: Password change

    /// Checks the old password, sets the new one, ends every session (the caller's too) and
    /// returns the tokens of a new one.
    public func changePassword(_ caller: Authenticated, _ object: [String: JSONValue], client: ClientInfo) async throws -> TokenPair {
        // Guessing `old_password` with a stolen token is limited like logins.
        try await throttle(.login, keys: ["ip:" + client.ip, "user:\(caller.userId)"])
        var reader = FieldReader(object)
        let old = reader.requiredString("old_password", trim: false)
        let new = reader.requiredString("new_password", trim: false)
        let user = caller.user
        if let old {
            let matches = old.utf8.count <= validator.maxLength * 4 ? await hasher.verify(old, against: user.password) : false
            if !matches { reader.add("old_password", "Your old password was entered incorrectly. Please enter it again.") }
        }
        if let new {
            for problem in validator.problems(new, attributes: .init(email: user.email, firstName: user.firstName, lastName: user.lastName)) {
                reader.add("new_password", problem)
            }
        }
        try reader.finish()
        guard let new else { throw APIError.serverError }
        await unthrottle(.login, keys: ["ip:" + client.ip, "user:\(caller.userId)"])
        let session = newSession(userId: caller.userId, client: client)
        let changed = try await store.changePassword(
            userId: caller.userId, from: user.password, to: try await hasher.hash(new),
            callerSession: caller.sessionId, session: session, now: clock.now())
        // A reset, logout-all or another change committed meanwhile: that one wins.
        guard changed else { throw APIError.tokenNotValid }
        await audit.record(.passwordChanged, userId: caller.userId, client: client, detail: "other sessions revoked")
        return try await issue(user: user, session: session)
    }

    // MARK: E-mail change

    /// Checks the password and the new address, then queues a code to the new address
    /// (60 s cooldown per user).
    public func requestEmailChange(_ caller: Authenticated, _ object: [String: JSONValue], client: ClientInfo) async throws {
        try await throttle(.emailChange, keys: ["ip:" + client.ip, "email:" + caller.user.emailKey])
        var reader = FieldReader(object)
        let newEmail = reader.requiredString("new_email").map(EmailAddress.normalize)
        let password = reader.requiredString("password", trim: false)
        if let newEmail {
            if !EmailAddress.isValid(newEmail) {
                reader.add("new_email", "Enter a valid email address.")
            } else if EmailAddress.key(newEmail) == caller.user.emailKey {
                reader.add("new_email", "This is already your email address.")
            } else if try await store.user(emailKey: EmailAddress.key(newEmail)) != nil {
                reader.add("new_email", Self.emailTakenMessage)
            }
        }
        if let password {
            let matches = password.utf8.count <= validator.maxLength * 4
                ? await hasher.verify(password, against: caller.user.password) : false
            if !matches { reader.add("password", "Password is incorrect.") }
        }
        try reader.finish()
        guard let newEmail else { throw APIError.serverError }
        let subject = "user:\(caller.userId)"
        let queued = try await store.queueMail(
            kind: .emailChange, payload: .init(userId: caller.userId, email: newEmail),
            cooldownSubject: subject, cooldown: Self.sendCooldown, now: clock.now())
        if !queued {
            let remaining = try await store.cooldownRemaining(
                kind: .emailChange, cooldownSubject: subject, cooldown: Self.sendCooldown, now: clock.now())
            throw APIError.throttled(wait: max(1, Int(remaining.rounded(.up))))
        }
    }

    /// Swaps in the new address if the code is right and the address still free; notifies the old one.
    public func confirmEmailChange(_ caller: Authenticated, _ object: [String: JSONValue], client: ClientInfo) async throws -> User {
        var reader = FieldReader(object)
        let otp = reader.requiredString("otp")
        if let otp, !CodeHasher.isWellFormed(otp) { reader.add("otp", "Enter the 6-digit code.") }
        try reader.finish()
        guard let otp else { throw APIError.serverError }
        try await throttle(.emailChange, keys: ["ip:" + client.ip, "email:" + caller.user.emailKey])
        let codes = self.codes
        let outcome = try await store.redeemCode(
            purpose: .emailChange, userId: caller.userId, emailKey: nil, now: clock.now(),
            matches: { codes.matches(code: otp, purpose: .emailChange, emailKey: $0.emailKey, stored: $0.codeHash) },
            effect: .changeEmail(oldEmail: caller.user.email))
        if case .emailTaken = outcome {
            throw APIError.detail(.badRequest, "This address was taken meanwhile; nothing was changed.", code: "email_taken")
        }
        let user = try await settle(outcome, purpose: .emailChange, userId: caller.userId, client: client)
        await audit.record(.emailChanged, userId: caller.userId, client: client)
        return user
    }

    // MARK: Sessions

    public func sessions(_ caller: Authenticated) async throws -> [LoginSession] {
        try await store.sessions(userId: caller.userId, now: clock.now())
    }

    /// Ends one of the caller's sessions; 404 when it is unknown, ended or someone else's.
    public func revokeSession(_ caller: Authenticated, id: String, client: ClientInfo) async throws {
        // Session ids are base64url tokens: anything else (a NUL, say) is unknown without a lookup.
        guard id.utf8.count <= 64, id.utf8.allSatisfy(Base64URL.isAlphabet),
              try await store.revokeSession(userId: caller.userId, sessionId: id, now: clock.now()) else {
            throw APIError.notFound
        }
        await audit.record(.sessionRevoked, userId: caller.userId, client: client, detail: id == caller.sessionId ? "current" : "other")
    }

    public func logoutAll(_ caller: Authenticated, client: ClientInfo) async throws {
        let count = try await store.revokeAllSessions(userId: caller.userId, now: clock.now())
        await audit.record(.logoutAll, userId: caller.userId, client: client, detail: "\(count) sessions")
    }

    /// Maps a redemption to its user or the contract's code error, auditing verified and burnt codes.
    @discardableResult
    func settle(_ outcome: CodeRedemption, purpose: CodePurpose, userId: Int64, client: ClientInfo,
                auditSuccess: Bool = true) async throws -> User {
        switch outcome {
        case .redeemed(let user):
            if auditSuccess { await audit.record(.codeVerified, userId: userId, client: client, detail: purpose.rawValue) }
            return user
        case .invalid, .emailTaken: throw APIError.otpInvalid
        case .expired: throw APIError.otpExpired
        case .locked:
            await audit.record(.codeLocked, userId: userId, client: client, detail: purpose.rawValue)
            throw APIError.otpLocked
        }
    }
}
