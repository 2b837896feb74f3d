import HTTPTypes
import Shared

extension APIError {
    /// The contract's answer to each refusal of the domain: status, message, code and headers,
    /// in this one place.
    init(_ error: AuthError) {
        switch error {
        case .fields(let problems): self = .fields(problems.messages)
        case .notAuthenticated: self = .notAuthenticated
        case .tokenNotValid: self = .tokenNotValid
        case .userInactive: self = .userInactive
        case .invalidCredentials: self = .invalidCredentials
        case .emailNotVerified: self = .emailNotVerified
        case .codeInvalid: self = .otpInvalid
        case .codeExpired: self = .otpExpired
        case .codeLocked: self = .otpLocked
        case .emailTakenMeanwhile:
            self = .detail(.badRequest, "This address was taken meanwhile; nothing was changed.", code: "email_taken")
        case .notFound: self = .notFound
        case .throttled(let seconds): self = .throttled(wait: seconds)
        case .mfaInvalid: self = .detail(.badRequest, "Invalid or already used code.", code: "mfa_invalid")
        case .mfaRequired:
            self = .detail(.forbidden, "This action needs a session verified with the second factor.", code: "mfa_required")
        case .permissionDenied:
            self = .detail(.forbidden, "You do not have permission to perform this action.", code: "permission_denied")
        case .invalidPage: self = .detail(.notFound, "Invalid page.", code: "not_found")
        case .lastStaff:
            self = .detail(.badRequest, "The last active staff account cannot be deactivated, demoted or deleted.", code: "last_staff")
        case .jobNotDead: self = .detail(.badRequest, "Only a dead job can be requeued.", code: "not_dead")
        case .publicClient: self = .detail(.badRequest, "A public client has no secret.", code: "public_client")
        case .alreadyVerified: self = .detail(.badRequest, "This address is already verified.", code: "already_verified")
        case .accountInactive: self = .detail(.badRequest, "This account is not active.", code: "account_inactive")
        }
    }
}
