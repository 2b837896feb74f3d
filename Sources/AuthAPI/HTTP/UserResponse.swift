import Shared

/// The user as the API shows it: never the password hash, never internal flags.
struct UserResponse: Codable, Sendable, Equatable {
    var id: Int64
    var email: String
    var firstName: String
    var lastName: String
    var isVerified: Bool
    var isStaff: Bool
    var dateJoined: String

    enum CodingKeys: String, CodingKey {
        case id, email
        case firstName = "first_name"
        case lastName = "last_name"
        case isVerified = "is_verified"
        case isStaff = "is_staff"
        case dateJoined = "date_joined"
    }

    init(_ user: User) {
        id = user.id ?? 0
        email = user.email
        firstName = user.firstName
        lastName = user.lastName
        isVerified = user.isVerified
        isStaff = user.isStaff
        dateJoined = ISO8601Text.string(user.dateJoined)
    }
}
