import Foundation

/// Django's four default password validators (similarity, minimum length, common, numeric)
/// plus a maximum length, run before any hashing so that a huge password costs nothing.
public struct PasswordValidator: Sendable {
    public var minLength = 8
    public var maxLength = 4_096
    public var maxSimilarity = 0.7

    public init() {}

    /// The attributes a password must not resemble, with Django's verbose names.
    public struct Attributes: Sendable {
        public var email: String
        public var firstName: String
        public var lastName: String

        public init(email: String, firstName: String = "", lastName: String = "") {
            self.email = email
            self.firstName = firstName
            self.lastName = lastName
        }
    }

    /// All messages that apply, in Django's order; empty when the password is acceptable.
    public func problems(_ password: String, attributes: Attributes?) -> [String] {
        let length = password.unicodeScalars.count
        if length > maxLength {
            return ["Ensure this field has no more than \(maxLength) characters."]
        }
        var problems: [String] = []
        if let attributes, let name = similarAttribute(password, attributes) {
            problems.append("The password is too similar to the \(name).")
        }
        if length < minLength {
            problems.append("This password is too short. It must contain at least \(minLength) characters.")
        }
        if CommonPasswords.all.contains(password.lowercased().trimmingWhiteSpace()) {
            problems.append("This password is too common.")
        }
        if !password.isEmpty, password.unicodeScalars.allSatisfy({ $0.properties.numericType == .decimal || $0.properties.numericType == .digit }) {
            problems.append("This password is entirely numeric.")
        }
        return problems
    }

    /// Django's `UserAttributeSimilarityValidator`: each attribute and its `\W+`-separated parts
    /// are compared with `SequenceMatcher.quick_ratio`.
    func similarAttribute(_ password: String, _ attributes: Attributes) -> String? {
        let pw = Array(password.lowercased().unicodeScalars)
        // Django's order: first name, last name, e-mail.
        let candidates = [("first name", attributes.firstName), ("last name", attributes.lastName), ("email address", attributes.email)]
        for (verboseName, value) in candidates where !value.isEmpty {
            let lower = value.lowercased()
            var parts = lower.unicodeScalars.split(whereSeparator: { !Self.isWordCharacter($0) }).map { Array($0) }
            parts.append(Array(lower.unicodeScalars))
            for part in parts {
                if exceedsMaximumLengthRatio(passwordLength: pw.count, valueLength: part.count) { continue }
                if Self.quickRatio(pw, part) >= maxSimilarity { return verboseName }
            }
        }
        return nil
    }

    private func exceedsMaximumLengthRatio(passwordLength: Int, valueLength: Int) -> Bool {
        let bound = maxSimilarity / 2 * Double(passwordLength)
        return passwordLength >= 10 * valueLength && Double(valueLength) < bound
    }

    /// Python's `\w` for str patterns: alphanumerics and underscore.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        s == "_" || s.properties.isAlphabetic || s.properties.numericType != nil
    }

    /// `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`: 2·|a ∩ b| / (|a| + |b|) on multisets.
    static func quickRatio(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        let total = a.count + b.count
        guard total > 0 else { return 1 }
        var counts: [Unicode.Scalar: Int] = [:]
        for s in b { counts[s, default: 0] += 1 }
        var matches = 0
        for s in a {
            if let n = counts[s], n > 0 {
                counts[s] = n - 1
                matches += 1
            }
        }
        return 2 * Double(matches) / Double(total)
    }
}
