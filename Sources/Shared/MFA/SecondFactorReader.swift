import Foundation

/// What a code typed at a second-factor prompt is, decided once: six digits are a TOTP code
/// (matched against the user's unsealed secret, within one step of now), anything else a
/// recovery code (matched by its keyed hash).
public struct SecondFactorReader: Sendable {
    let secrets: MFASecrets
    let clock: any AuthClock

    func factor(_ code: String) -> SecondFactor {
        CodeHasher.isWellFormed(code) ? totp(code) : .recoveryCode(hash: secrets.hash(recoveryCode: code))
    }

    /// A TOTP code as the rules take it: the matching step, computed from the user's unsealed
    /// secret (a wrong-shaped code matches nothing).
    func totp(_ code: String) -> SecondFactor {
        guard CodeHasher.isWellFormed(code) else { return .totp(step: { _, _ in nil }) }
        let secrets = self.secrets
        let now = clock.now()
        return .totp(step: { sealed, userId in
            guard let secret = secrets.open(totpSecret: sealed, userId: userId) else { return nil }
            return TOTP(secret: secret).matchingStep(code, at: now)
        })
    }
}
