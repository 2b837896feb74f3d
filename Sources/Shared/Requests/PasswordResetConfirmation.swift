/// password/reset/confirm: the address, the code sent to it and the new password (checked by
/// the use case only once the code is right).
public struct PasswordResetConfirmation: Sendable {
    public var email: String
    public var otp: String
    public var newPassword: String

    public init(email: String, otp: String, newPassword: String) {
        self.email = EmailAddress.normalize(email)
        self.otp = otp
        self.newPassword = newPassword
    }

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let email = reader.requiredEmail("email")
        let otp = reader.requiredCode("otp")
        let newPassword = reader.requiredString("new_password", trim: false)
        try reader.finish()
        self.init(email: email!, otp: otp!, newPassword: newPassword!)
    }
}
