/// email/change/confirm: the code sent to the new address.
public struct EmailChangeConfirmation: Sendable {
    public var otp: String

    public init(otp: String) {
        self.otp = otp
    }

    public init(json object: [String: JSONValue]) throws(AuthError) {
        var reader = FieldReader(object)
        let otp = reader.requiredCode("otp")
        try reader.finish()
        self.init(otp: otp!)
    }
}
