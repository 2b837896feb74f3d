// libFuzzer entry point: request bodies, as AuthAPI reads them — a JSON object, then every
// request type, with the invariants each successful read promises.
// Built only by `make fuzz` (AUTH_FUZZ=1, -sanitize=fuzzer,address).
import Foundation
import Shared

private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant violated: \(message())") }
}

private func isTrimmed(_ text: String) -> Bool {
    text.trimmingWhiteSpace() == text
}

private func checkEmail(_ email: String) {
    check(EmailAddress.isValid(email), "accepted e-mail is not valid: \(email.debugDescription)")
    check(EmailAddress.normalize(email) == email, "accepted e-mail is not normalized: \(email.debugDescription)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count)
    guard case .object(let object)? = try? JSONParser.parse(bytes) else { return 0 }

    // Signup, as Registration.signup reads it (minus the store and the throttle).
    let signup = SignupRequest(json: object)
    var problems = signup.problems
    if let email = signup.email {
        check(EmailAddress.key(email) == EmailAddress.key(email).lowercased(), "key not lower-case")
        if !EmailAddress.isValid(email) { problems.add("email", "Enter a valid email address.") }
    }
    if let password = signup.password {
        let attributes = PasswordValidator.Attributes(
            email: EmailAddress.normalize(signup.email ?? ""), firstName: signup.firstName, lastName: signup.lastName)
        for problem in PasswordValidator().problems(password, attributes: attributes) {
            problems.add("password", problem)
        }
    }
    if problems.isEmpty {
        check(signup.email != nil && signup.password != nil, "signup without errors lacks e-mail or password")
        checkEmail(EmailAddress.normalize(signup.email!))
        check(signup.firstName.unicodeScalars.count <= 150 && signup.lastName.unicodeScalars.count <= 150, "signup name too long")
    }

    if let login = try? LoginRequest(json: object) {
        check(!login.email.isEmpty && isTrimmed(login.email), "login e-mail blank or untrimmed")
        check(!login.password.isEmpty, "login password empty")
    }
    if let request = try? EmailRequest(json: object) {
        checkEmail(request.email)
    }
    if let request = try? VerifyEmailRequest(json: object) {
        checkEmail(request.email)
        check(CodeHasher.isWellFormed(request.otp), "accepted otp not well-formed")
    }
    if let update = try? ProfileUpdate(json: object) {
        for name in [update.firstName, update.lastName].compactMap({ $0 }) {
            check(name.unicodeScalars.count <= 150 && isTrimmed(name), "profile name too long or untrimmed")
        }
    }
    if let request = try? TokenRequest(json: object, field: "refresh") {
        check(request.token.map { !$0.isEmpty && isTrimmed($0) } ?? false, "required token missing or blank")
    }
    if let request = try? TokenRequest(json: object, field: "refresh", required: false), let token = request.token {
        check(!token.isEmpty && isTrimmed(token), "optional token blank or untrimmed")
    }
    do {
        _ = try TokenRequest(json: object, field: "token")
    } catch {
        // Every refusal of a parsed object is a 400 with at least one field error.
        guard case .fields(let errors) = error, !errors.isEmpty, errors.messages.values.allSatisfy({ !$0.isEmpty }) else {
            fatalError("TokenRequest refused without field errors: \(error)")
        }
    }
    return 0
}
