import Foundation
import GRDB

/// An account, as Django's `AbstractBaseUser` with the e-mail as login identifier.
/// `emailKey` is the lower-cased normalized address: the unique index lives on it so that
/// uniqueness is case-insensitive while `email` keeps the case the user typed in its local part.
public struct User: Codable, Sendable, Equatable, Identifiable {
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

extension User: StoredRecord, MutablePersistableRecord {
    public static let databaseTableName = "users"

    public enum Columns {
        public static let emailKey = Column("email_key")
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// Decodes by column name without going through `Decodable`: users are read on every
    /// authenticated request.
    public init(row: Row) throws {
        id = row["id"]
        email = row["email"]
        emailKey = row["email_key"]
        password = row["password"]
        firstName = row["first_name"]
        lastName = row["last_name"]
        isActive = row["is_active"]
        isStaff = row["is_staff"]
        isSuperuser = row["is_superuser"]
        isVerified = row["is_verified"]
        dateJoined = Date(timeIntervalSince1970: row["date_joined"])
        lastLogin = (row["last_login"] as Double?).map { Date(timeIntervalSince1970: $0) }
    }
}
