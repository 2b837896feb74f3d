/// PATCH of a user by staff: the names and the flags to change (nil: unchanged).
public struct AdminUserChange: Sendable, Equatable {
    public var firstName: String?
    public var lastName: String?
    public var isActive: Bool?
    public var isStaff: Bool?
    public var isVerified: Bool?

    public init(firstName: String? = nil, lastName: String? = nil, isActive: Bool? = nil, isStaff: Bool? = nil, isVerified: Bool? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.isActive = isActive
        self.isStaff = isStaff
        self.isVerified = isVerified
    }

    /// Other fields (`email`, `id`, `password`, …) are ignored, as a DRF serializer ignores
    /// read-only and unknown fields.
    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        firstName = reader.optionalString("first_name", maxLength: 150)
        lastName = reader.optionalString("last_name", maxLength: 150)
        isActive = reader.optionalBool("is_active")
        isStaff = reader.optionalBool("is_staff")
        isVerified = reader.optionalBool("is_verified")
        try reader.finish()
    }

    /// Whether the change could leave no active staff account: it deactivates or demotes.
    var removesStaff: Bool { isActive == false || isStaff == false }
}
