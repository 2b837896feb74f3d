/// What the admin's user list shows: a substring of the address or the names, and flags.
public struct UserFilter: Sendable, Equatable {
    /// Matched case-insensitively anywhere in the address, first or last name; nil: everyone.
    public var search: String?
    public var isVerified: Bool?
    public var isActive: Bool?
    public var isStaff: Bool?

    public init(search: String? = nil, isVerified: Bool? = nil, isActive: Bool? = nil, isStaff: Bool? = nil) {
        let trimmed = search?.trimmingWhiteSpace()
        self.search = trimmed?.isEmpty == false ? trimmed : nil
        self.isVerified = isVerified
        self.isActive = isActive
        self.isStaff = isStaff
    }
}
