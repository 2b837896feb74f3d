/// PATCH me: the names to change (nil: unchanged).
public struct ProfileUpdate: Sendable {
    public var firstName: String?
    public var lastName: String?

    public init(firstName: String? = nil, lastName: String? = nil) {
        self.firstName = firstName
        self.lastName = lastName
    }

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        firstName = reader.optionalString("first_name", maxLength: 150)
        lastName = reader.optionalString("last_name", maxLength: 150)
        try reader.finish()
    }
}
