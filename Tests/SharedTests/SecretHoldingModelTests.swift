import Shared
import Testing

/// Models that hold a secret — a password hash, a code's hash — cannot be serialised by
/// accident: a response made with `JSONEncoder` from one of them would not compile.
@Suite("Models that hold secrets are not Encodable")
struct SecretHoldingModelTests {
    @Test("User (its password hash) and OneTimeCode (the code's hash) are not Encodable")
    func notEncodable() {
        #expect(!(User.self is any Encodable.Type))
        #expect(!(OneTimeCode.self is any Encodable.Type))
    }
}
