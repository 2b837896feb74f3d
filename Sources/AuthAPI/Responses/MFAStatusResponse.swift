import Shared

/// `GET /mfa/` (and the export's `mfa`): whether TOTP is on, and the recovery codes left.
struct MFAStatusResponse: JSONBody {
    let totp: Bool
    let recoveryCodesLeft: Int

    enum CodingKeys: String, CodingKey {
        case totp
        case recoveryCodesLeft = "recovery_codes_left"
    }
}
