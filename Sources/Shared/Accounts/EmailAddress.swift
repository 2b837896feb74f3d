import Foundation

/// E-mail normalization and validation with Django's rules (`BaseUserManager.normalize_email`,
/// `EmailValidator`), plus the contract's refusals of look-alike tricks: control characters,
/// white space inside, invisible and bidirectional formatting characters.
public enum EmailAddress {
    public static let maxLength = 254

    /// Trims surrounding white space (Unicode `White_Space` only: invisible characters stay, so
    /// that `isValid` refuses them) and lower-cases the domain, as Django's manager does.
    public static func normalize(_ raw: String) -> String {
        let trimmed = raw.trimmingWhiteSpace()
        guard let at = trimmed.lastIndex(of: "@") else { return trimmed }
        return String(trimmed[..<at]) + "@" + trimmed[trimmed.index(after: at)...].lowercased()
    }

    /// The key uniqueness is enforced on: the whole normalized address, lower-cased.
    public static func key(_ normalized: String) -> String {
        normalized.lowercased()
    }

    /// Whether a normalized address is acceptable.
    public static func isValid(_ value: String) -> Bool {
        guard !value.isEmpty, value.unicodeScalars.count <= maxLength else { return false }
        guard !value.unicodeScalars.contains(where: isForbidden) else { return false }
        guard let at = value.lastIndex(of: "@") else { return false }
        let user = value[..<at]
        let domain = value[value.index(after: at)...]
        return isValidUserPart(user) && isValidDomainPart(domain)
    }

    /// Control, white space, invisible and bidirectional formatting characters.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .privateUse, .surrogate, .unassigned:
            return true
        default:
            break
        }
        if scalar.properties.isWhitespace || scalar.properties.isDefaultIgnorableCodePoint { return true }
        // Invisible operators and fillers that are not in the categories above.
        return [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800].contains(scalar.value)
    }

    private static let atomCharacters = Set("!#$%&'*+/=?^_`{}|~-".unicodeScalars)

    static func isValidUserPart(_ user: Substring) -> Bool {
        guard !user.isEmpty else { return false }
        if user.hasPrefix("\""), user.hasSuffix("\""), user.count >= 2 {
            return isValidQuotedString(user.dropFirst().dropLast())
        }
        // dot-atom: ASCII atoms separated by single dots.
        let atoms = user.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy { s in
                s.isASCII && (isASCIIAlnum(s) || atomCharacters.contains(s))
            }
        }
    }

    private static func isValidQuotedString(_ body: Substring) -> Bool {
        var scalars = body.unicodeScalars.makeIterator()
        while let s = scalars.next() {
            guard s.isASCII else { return false }
            if s == "\\" {
                guard let escaped = scalars.next(), escaped.isASCII, escaped.value >= 1, escaped.value != 10, escaped.value != 13 else { return false }
            } else if s == "\"" {
                return false
            } else if s.value < 1 || s.value == 9 || s.value == 10 || s.value == 13 || s.value == 32 {
                return false
            }
        }
        return true
    }

    static func isValidDomainPart(_ domain: Substring) -> Bool {
        if domain == "localhost" { return true }
        if domain.hasPrefix("["), domain.hasSuffix("]") {
            return isIPLiteral(String(domain.dropFirst().dropLast()))
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for (index, label) in labels.enumerated() {
            guard !label.isEmpty, label.unicodeScalars.count <= 63 else { return false }
            guard label.first != "-", label.last != "-" else { return false }
            if index == labels.count - 1 {
                if !isValidTLD(label) { return false }
            } else if !label.unicodeScalars.allSatisfy({ isLetterOrDigit($0) || $0 == "-" }) {
                return false
            }
        }
        return true
    }

    /// Django's TLD: two or more letters (ASCII or U+00A1…U+FFFF) and hyphens, or a punycode label.
    private static func isValidTLD(_ label: Substring) -> Bool {
        let lower = label.lowercased()
        if lower.hasPrefix("xn--") {
            let rest = lower.dropFirst(4)
            if !rest.isEmpty, rest.count <= 59, rest.unicodeScalars.allSatisfy(isASCIIAlnum) { return true }
        }
        guard label.unicodeScalars.count >= 2 else { return false }
        return label.unicodeScalars.allSatisfy { s in
            isASCIILetter(s) || s == "-" || isWideLetter(s)
        }
    }

    private static func isLetterOrDigit(_ s: Unicode.Scalar) -> Bool {
        isASCIIAlnum(s) || isWideLetter(s)
    }

    /// Django's `ul` range U+00A1…U+FFFF, which lets internationalized domains through.
    private static func isWideLetter(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0xA1 && s.value <= 0xFFFF
    }

    private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 0x41 && s.value <= 0x5A) || (s.value >= 0x61 && s.value <= 0x7A)
    }

    private static func isASCIIAlnum(_ s: Unicode.Scalar) -> Bool {
        isASCIILetter(s) || (s.value >= 0x30 && s.value <= 0x39)
    }

    private static func isIPLiteral(_ text: String) -> Bool {
        guard text.unicodeScalars.allSatisfy({ isASCIIAlnum($0) || $0 == ":" || $0 == "." }) else { return false }
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
