/// The user of an active session, and how that session was authenticated.
public struct SessionUser: Sendable, Equatable {
    public var user: User
    public var level: SessionLevel

    public init(user: User, level: SessionLevel) {
        self.user = user
        self.level = level
    }
}

/// How a login session was authenticated, as its tokens say it to resource servers: `aal`
/// (NIST SP 800-63B assurance level: 2 once a second factor passed) and `amr` (RFC 8176 method
/// names: `pwd`, `otp`; `recovery` for a recovery code). Kept on the session row, so refresh
/// keeps it and a second factor raises every later token of the session.
public struct SessionLevel: Sendable, Equatable, Hashable {
    public var aal: Int
    public var amr: [String]

    public init(aal: Int, amr: [String]) {
        self.aal = aal
        self.amr = amr
    }

    /// A password login (signup included).
    public static let password = SessionLevel(aal: 1, amr: ["pwd"])
    /// A session that verify-email opened on its own: the e-mailed code, no password.
    public static let emailCode = SessionLevel(aal: 1, amr: ["otp"])

    /// `amr` as the column stores it: the names, space-separated.
    public var storedMethods: String { amr.joined(separator: " ") }

    public init(aal: Int, storedMethods: String) {
        self.init(aal: aal, amr: storedMethods.split(separator: " ").map(String.init))
    }
}
