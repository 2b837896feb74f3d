import Testing
@testable import Shared

@Suite("Password validators (Django's four defaults plus a maximum length)")
struct PasswordValidatorTests {
    let validator = PasswordValidator()

    @Test("A good password passes")
    func good() {
        #expect(validator.problems("correct horse battery staple", attributes: .init(email: "ada@example.com")).isEmpty)
    }

    @Test("Short, common and numeric, with Django's messages and order")
    func djangoMessages() {
        #expect(validator.problems("1234567", attributes: nil) == [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ])
        #expect(validator.problems("Password", attributes: nil) == ["This password is too common."])
        #expect(validator.problems(" qwertyuiop ", attributes: nil) == ["This password is too common."])
        #expect(validator.problems("٣٤٥٦٧٨٩٠١٢", attributes: nil) == ["This password is entirely numeric."])
    }

    @Test("The shipped common-password list is Django's")
    func commonList() {
        #expect(CommonPasswords.all.count > 19_000)
        #expect(CommonPasswords.all.contains("123456"))
        #expect(CommonPasswords.all.contains("password"))
        #expect(!CommonPasswords.all.contains("correct horse battery staple"))
    }

    @Test("Similarity to the e-mail, its parts and the names")
    func similarity() {
        let attrs = PasswordValidator.Attributes(email: "margaret.hamilton@example.com", firstName: "Margaret", lastName: "Hamilton")
        #expect(validator.problems("margaret.hamilton", attributes: attrs) == ["The password is too similar to the email address."])
        #expect(validator.problems("Hamilton77x", attributes: .init(email: "x@example.com", lastName: "Hamilton"))
            == ["The password is too similar to the last name."])
        #expect(validator.problems("entirely unrelated words", attributes: attrs).isEmpty)
    }

    @Test("quick_ratio matches difflib's values")
    func quickRatio() {
        func r(_ a: String, _ b: String) -> Double {
            PasswordValidator.quickRatio(Array(a.unicodeScalars), Array(b.unicodeScalars))
        }
        #expect(abs(r("abcd", "bcde") - 0.75) < 1e-9)
        #expect(abs(r("abc", "abd") - 2.0 / 3.0) < 1e-9)
        #expect(r("aaaa", "a") == 0.4)
        #expect(r("", "") == 1)
    }

    @Test("Over 4096 characters: refused before anything else")
    func maximum() {
        #expect(validator.problems(String(repeating: "x", count: 4_097), attributes: nil) == ["Ensure this field has no more than 4096 characters."])
        #expect(validator.problems(String(repeating: "xY7!", count: 1_024), attributes: nil).isEmpty)
    }
}
