/// Ten recovery codes, shown this once (they are stored only as keyed hashes).
struct RecoveryCodesResponse: JSONBody {
    let recoveryCodes: [String]

    enum CodingKeys: String, CodingKey { case recoveryCodes = "recovery_codes" }
}
