import Shared

/// The password step's answer when MFA is on: no tokens yet, the token of the second step.
struct MFAChallengeResponse: JSONBody {
    let mfaToken: String

    enum CodingKeys: String, CodingKey {
        case mfaRequired = "mfa_required"
        case mfaToken = "mfa_token"
        case methods
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(true, forKey: .mfaRequired)
        try container.encode(mfaToken, forKey: .mfaToken)
        try container.encode(MultiFactor.methods, forKey: .methods)
    }
}
