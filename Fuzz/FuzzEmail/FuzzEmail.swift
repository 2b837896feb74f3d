// libFuzzer entry point: the e-mail validator (`EmailAddress.normalize`, `isValid`, `key`),
// with the contract's promises checked on every address it accepts.
// Built only by `make fuzz` (AUTH_FUZZ=1, -sanitize=fuzzer,address).
import Foundation
import Shared

private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant violated: \(message())") }
}

/// Scalars a valid address must never contain: controls, formatting (bidi, zero-width),
/// separators, private-use, unassigned, white space.
private func isRefused(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
        return true
    default:
        return scalar.properties.isWhitespace
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // Request bodies are JSON, so addresses arrive as valid Unicode: invalid UTF-8 is repaired.
    let raw = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = EmailAddress.isValid(raw)
    let email = EmailAddress.normalize(raw)
    let key = EmailAddress.key(email)
    check(key.lowercased() == key, "key is not lower-case: \(key.debugDescription)")
    guard EmailAddress.isValid(email) else { return 0 }
    check(EmailAddress.normalize(email) == email, "valid address does not re-normalize to itself: \(email.debugDescription)")
    check(email.unicodeScalars.count <= EmailAddress.maxLength, "valid address longer than 254: \(email.debugDescription)")
    check(!email.unicodeScalars.contains(where: isRefused), "valid address holds a refused scalar: \(email.debugDescription)")
    check(email.contains("@"), "valid address without @: \(email.debugDescription)")
    return 0
}
