/// A body with one valid e-mail address (send-otp, password reset).
public struct EmailRequest: Sendable {
    /// Normalized and valid.
    public var email: String

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let email = reader.requiredEmail("email")
        try reader.finish()
        self.email = email!
    }
}
