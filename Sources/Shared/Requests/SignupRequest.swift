/// A signup body: what could be read, and the problems of what could not. The use case adds its
/// own refusals (invalid or taken address, weak password) to `problems`, so that every wrong
/// field is reported at once. `id`, `is_staff`, `is_verified`, `date_joined` and unknown keys
/// are ignored.
public struct SignupRequest: Sendable {
    /// Normalized (trimmed, domain lower-cased); nil when missing or not a string.
    public var email: String?
    public var password: String?
    public var firstName: String
    public var lastName: String
    public var problems: FieldErrors

    public init(email: String?, password: String?, firstName: String = "", lastName: String = "",
                problems: FieldErrors = FieldErrors()) {
        self.email = email
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
        self.problems = problems
    }

    public init(json object: [String: JSONValue]) {
        var reader = FieldReader(object)
        let email = reader.requiredString("email").map(EmailAddress.normalize)
        let password = reader.requiredString("password", trim: false)
        let first = reader.optionalString("first_name", maxLength: 150) ?? ""
        let last = reader.optionalString("last_name", maxLength: 150) ?? ""
        self.init(email: email, password: password, firstName: first, lastName: last, problems: reader.errors)
    }
}
