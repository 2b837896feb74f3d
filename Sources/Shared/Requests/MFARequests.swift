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

/// `{"mfa_token", "code"}`: the second step of a login.
public struct MFALoginRequest: Sendable {
    public var mfaToken: String
    public var code: String

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let token = reader.requiredString("mfa_token", maxLength: 128)
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
