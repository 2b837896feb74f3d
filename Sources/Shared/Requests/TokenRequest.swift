/// A body with one token field (`refresh` for refresh and logout, `token` for verify).
public struct TokenRequest: Sendable {
    public var token: String?

    /// `required` false lets cookie transport supply the token instead (null or blank: none).
    public init(json object: [String: JSONValue], field: String, required: Bool = true) throws(AuthError) {
        var reader = FieldReader(object)
        if !required, object[field] == .null || object[field] == .string("") {
            token = nil
        } else {
            token = required ? reader.requiredString(field) : reader.optionalString(field, allowBlank: false)
        }
        try reader.finish()
    }
}
