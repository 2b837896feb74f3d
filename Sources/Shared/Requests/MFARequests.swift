/// `{"code"}`: a TOTP code or a recovery code (confirm, disable).
public struct MFACodeRequest: Sendable {
    public var code: String

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let code = reader.requiredString("code", maxLength: 64)
        try reader.finish()
        self.code = code!
    }
}

/// `{"mfa_token", "code"}`: the second step of a login. The token has no length limit here: a
/// string that is not a live `mfa_token` — an access token pasted by mistake included — is
/// refused as one (401 `token_not_valid`), never as a field error.
public struct MFALoginRequest: Sendable {
    public var mfaToken: String
    public var code: String

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let token = reader.requiredString("mfa_token")
        let code = reader.requiredString("code", maxLength: 64)
        try reader.finish()
        mfaToken = token!
        self.code = code!
    }
}

/// `{"password"}`: the password re-checked before a TOTP setup (never trimmed, as passwords).
public struct PasswordRequest: Sendable {
    public var password: String

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let password = reader.requiredString("password", maxLength: 4_096, trim: false)
        try reader.finish()
        self.password = password!
    }
}
