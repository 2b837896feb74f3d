import Shared

/// A user as staff see it: the user fields plus `is_active` and `last_login`.
struct AdminUserResponse: JSONBody {
    let user: UserResponse
    let isActive: Bool
    let lastLogin: String?
    /// The active sessions, in the user's detail only.
    let sessions: [SessionResponse]?

    init(_ user: User, sessions: [LoginSession]? = nil) {
        self.user = UserResponse(user)
        isActive = user.isActive
        lastLogin = user.lastLogin.map(ISO8601Text.string)
        self.sessions = sessions?.map { SessionResponse($0, current: nil) }
    }

    enum CodingKeys: String, CodingKey {
        case isActive = "is_active"
        case lastLogin = "last_login"
        case sessions
    }

    func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isActive, forKey: .isActive)
        try container.encode(lastLogin, forKey: .lastLogin)
        try container.encodeIfPresent(sessions, forKey: .sessions)
    }
}
