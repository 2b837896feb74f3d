/// A login body: an address (normalized, not validated: an invalid one simply matches no
/// account) and a password.
public struct LoginRequest: Sendable {
    public var email: String
    public var password: String

    public init(email: String, password: String) {
        self.email = EmailAddress.normalize(email)
        self.password = password
    }

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let email = reader.requiredString("email")
        let password = reader.requiredString("password", trim: false)
        try reader.finish()
        self.init(email: email!, password: password!)
    }
}
