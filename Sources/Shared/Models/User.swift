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

/// The user as the API shows it: never the password hash, never internal flags.
public struct UserResponse: Codable, Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var firstName: String
    public var lastName: String
    public var isVerified: Bool
    public var isStaff: Bool
    public var dateJoined: String

    enum CodingKeys: String, CodingKey {
        case id, email
        case firstName = "first_name"
        case lastName = "last_name"
        case isVerified = "is_verified"
        case isStaff = "is_staff"
        case dateJoined = "date_joined"
    }

    public init(_ user: User) {
        id = user.id ?? 0
        email = user.email
        firstName = user.firstName
        lastName = user.lastName
        isVerified = user.isVerified
        isStaff = user.isStaff
        dateJoined = ISO8601Text.string(user.dateJoined)
    }
}

/// Timestamps as the API shows them.
public enum ISO8601Text {
    /// `2026-11-24T10:00:00Z`: UTC, whole seconds.
    public static func string(_ date: Date) -> String {
        var tm = tm()
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        gmtime_r(&t, &tm)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(tm.tm_year + 1900, 4) + "-" + pad(tm.tm_mon + 1, 2) + "-" + pad(tm.tm_mday, 2) + "T"
            + pad(tm.tm_hour, 2) + ":" + pad(tm.tm_min, 2) + ":" + pad(tm.tm_sec, 2) + "Z"
    }
}
