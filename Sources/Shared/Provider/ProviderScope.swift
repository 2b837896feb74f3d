/// The scopes the OpenID Provider knows; any other requested value is dropped, as the contract
/// says (`scope` "must hold `openid`; unknown values are dropped").
public enum ProviderScope {
    public static let openid = "openid"
    public static let profile = "profile"
    public static let email = "email"
    /// Asks for a refresh token, and a token session that outlives the sign-in session.
    public static let offlineAccess = "offline_access"

    public static let supported = [openid, profile, email, offlineAccess]
}
