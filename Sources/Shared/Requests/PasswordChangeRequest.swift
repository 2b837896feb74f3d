/// password/change: the old and the new password, with the problems of what could not be read
/// (the use case adds a wrong old password and a weak new one, all at once).
public struct PasswordChangeRequest: Sendable {
    public var oldPassword: String?
    public var newPassword: String?
    public var problems: FieldErrors

    public init(oldPassword: String?, newPassword: String?, problems: FieldErrors = FieldErrors()) {
        self.oldPassword = oldPassword
        self.newPassword = newPassword
        self.problems = problems
    }

    public init(json object: [String: JSONValue]) {
        var reader = FieldReader(object)
        let old = reader.requiredString("old_password", trim: false)
        let new = reader.requiredString("new_password", trim: false)
        self.init(oldPassword: old, newPassword: new, problems: reader.errors)
    }
}
