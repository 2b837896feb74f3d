/// email/change: the new address (normalized) and the current password, with the problems of
/// what could not be read (the use case adds invalid, taken or unchanged addresses and a wrong
/// password, all at once).
public struct EmailChangeRequest: Sendable {
    public var newEmail: String?
    public var password: String?
    public var problems: FieldErrors

    public init(newEmail: String?, password: String?, problems: FieldErrors = FieldErrors()) {
        self.newEmail = newEmail.map(EmailAddress.normalize)
        self.password = password
        self.problems = problems
    }

    public init(json object: [String: JSONValue]) {
        var reader = FieldReader(object)
        let newEmail = reader.requiredString("new_email")
        let password = reader.requiredString("password", trim: false)
        self.init(newEmail: newEmail, password: password, problems: reader.errors)
    }
}
