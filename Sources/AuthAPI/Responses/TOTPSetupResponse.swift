import Shared

/// A pending TOTP factor: the secret, typed or scanned from the `otpauth://` URL.
struct TOTPSetupResponse: JSONBody {
    let secret: String
    let otpauthURL: String

    init(_ setup: MultiFactor.Setup) {
        secret = setup.secret
        otpauthURL = setup.otpauthURL
    }

    enum CodingKeys: String, CodingKey {
        case secret
        case otpauthURL = "otpauth_url"
    }
}
