/// Every account use case over one shared context: what the API's build function makes and
/// hands to the controllers, each of which takes only the use cases it serves.
public struct AccountUseCases: Sendable {
    public let context: AccountContext
    public let registration: Registration
    public let verification: EmailVerification
    public let authentication: Authentication
    public let profile: Profile
    public let passwordReset: PasswordReset
    public let passwordChange: PasswordChange
    public let emailChange: EmailChange
    public let sessions: SessionManagement
    public let housekeeping: Housekeeping
    public let multiFactor: MultiFactor
    public let accountData: AccountData
    public let administration: Administration

    public init(context: AccountContext) {
        self.context = context
        registration = Registration(context: context)
        verification = EmailVerification(context: context)
        authentication = Authentication(context: context)
        profile = Profile(context: context)
        passwordReset = PasswordReset(context: context)
        passwordChange = PasswordChange(context: context)
        emailChange = EmailChange(context: context)
        sessions = SessionManagement(context: context)
        housekeeping = Housekeeping(context: context)
        multiFactor = MultiFactor(context: context)
        accountData = AccountData(context: context)
        administration = Administration(context: context)
    }
}
