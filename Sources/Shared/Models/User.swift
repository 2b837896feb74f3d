import Foundation

/// An account, as Django's `AbstractBaseUser` with the e-mail as login identifier.
/// `emailKey` is the lower-cased normalized address: the unique index lives on it so that
/// uniqueness is case-insensitive while `email` keeps the case the user typed in its local part.
public struct User: Sendable, Equatable, Identifiable {
    public var id: Int64?
    public var email: String
    public var emailKey: String
    /// The PHC string of the Argon2id hash.
    public var password: String
    public var firstName: String
    public var lastName: String
    public var isActive: Bool
    public var isStaff: Bool
    public var isSuperuser: Bool
    public var isVerified: Bool
    public var dateJoined: Date
    public var lastLogin: Date?
    /// Whether a TOTP factor is on (read along with the user where it is shown).
    public var mfaEnabled: Bool = false

    public init(
        id: Int64? = nil, email: String, password: String, firstName: String = "", lastName: String = "",
        isActive: Bool = true, isStaff: Bool = false, isSuperuser: Bool = false, isVerified: Bool = false,
        dateJoined: Date, lastLogin: Date? = nil
    ) {
        self.id = id
        self.email = email
        self.emailKey = EmailAddress.key(email)
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
        self.isActive = isActive
        self.isStaff = isStaff
        self.isSuperuser = isSuperuser
        self.isVerified = isVerified
        self.dateJoined = dateJoined
        self.lastLogin = lastLogin
    }
}
