import Foundation

/// Typed request bodies, each read from a JSON object with every field problem collected.
public struct SignupRequest: Sendable {
    public var email: String
    public var password: String
    public var firstName: String
    public var lastName: String

    public init(email: String, password: String, firstName: String = "", lastName: String = "") {
        self.email = email
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
    }

    /// Reads the body; `id`, `is_staff`, `is_verified`, `date_joined` and unknown keys are ignored.
    /// Field errors are returned with the request so that validation can add its own.
    /// Fields that could not be read are nil; the reader holds their errors, and the caller
    /// adds the checks of the fields that could, so every wrong field is reported at once.
    public static func read(_ object: [String: JSONValue]) -> (email: String?, password: String?, firstName: String, lastName: String, reader: FieldReader) {
        var reader = FieldReader(object)
        let email = reader.requiredString("email")
        let password = reader.requiredString("password", trim: false)
        let first = reader.optionalString("first_name", maxLength: 150) ?? ""
        let last = reader.optionalString("last_name", maxLength: 150) ?? ""
        return (email, password, first, last, reader)
    }
}

public struct LoginRequest: Sendable {
    public var email: String
    public var password: String

    public init(_ object: [String: JSONValue]) throws(APIError) {
        var reader = FieldReader(object)
        let email = reader.requiredString("email")
        let password = reader.requiredString("password", trim: false)
        try reader.finish()
        self.email = email!
        self.password = password!
    }
}

/// A body with one e-mail address (send-otp, password reset).
public struct EmailRequest: Sendable {
    public var email: String

    public init(_ object: [String: JSONValue]) throws(APIError) {
        var reader = FieldReader(object)
        let email = reader.requiredString("email").map(EmailAddress.normalize)
        if let email, !EmailAddress.isValid(email) { reader.add("email", "Enter a valid email address.") }
        try reader.finish()
        self.email = email!
    }
}

public struct VerifyEmailRequest: Sendable {
    public var email: String
    public var otp: String

    public init(_ object: [String: JSONValue]) throws(APIError) {
        var reader = FieldReader(object)
        let email = reader.requiredString("email").map(EmailAddress.normalize)
        if let email, !EmailAddress.isValid(email) { reader.add("email", "Enter a valid email address.") }
        let otp = reader.requiredString("otp")
        if let otp, !CodeHasher.isWellFormed(otp) { reader.add("otp", "Enter the 6-digit code.") }
        try reader.finish()
        self.email = email!
        self.otp = otp!
    }
}

public struct ProfileUpdate: Sendable {
    public var firstName: String?
    public var lastName: String?

    public init(_ object: [String: JSONValue]) throws(APIError) {
        var reader = FieldReader(object)
        firstName = reader.optionalString("first_name", maxLength: 150)
        lastName = reader.optionalString("last_name", maxLength: 150)
        try reader.finish()
    }
}

/// A body with one token field (`refresh` for refresh and logout, `token` for verify).
public struct TokenRequest: Sendable {
    public var token: String?

    /// `required` false lets cookie transport supply the token instead.
    public init(_ object: [String: JSONValue], field: String, required: Bool = true) throws(APIError) {
        var reader = FieldReader(object)
        if !required, object[field] == .null || object[field] == .string("") {
            token = nil  // the cookie may supply it
        } else {
            token = required ? reader.requiredString(field) : reader.optionalString(field, allowBlank: false)
        }
        try reader.finish()
    }
}
