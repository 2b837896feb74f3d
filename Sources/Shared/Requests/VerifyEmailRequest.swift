/// verify-email: the address and the 6-digit code sent to it.
public struct VerifyEmailRequest: Sendable {
    public var email: String
    public var otp: String

    public init(email: String, otp: String) {
        self.email = EmailAddress.normalize(email)
        self.otp = otp
    }

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let email = reader.requiredEmail("email")
        let otp = reader.requiredCode("otp")
        try reader.finish()
        self.init(email: email!, otp: otp!)
    }
}
