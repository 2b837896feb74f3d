/// Reads typed fields out of a JSON object and collects every problem with DRF's messages,
/// so that a request with several wrong fields gets all of them in one 400.
public struct FieldReader: Sendable {
    let object: [String: JSONValue]
    public private(set) var errors = FieldErrors()

    public init(_ object: [String: JSONValue]) {
        self.object = object
    }

    public mutating func add(_ field: String, _ message: String) {
        errors.add(field, message)
    }

    /// A required string; nil (with an error recorded) when missing, null, not a string,
    /// blank (unless allowed) or longer than `maxLength` characters.
    public mutating func requiredString(_ field: String, maxLength: Int? = nil, trim: Bool = true, allowBlank: Bool = false) -> String? {
        guard let value = object[field] else {
            add(field, "This field is required.")
            return nil
        }
        return string(field, value, maxLength: maxLength, trim: trim, allowBlank: allowBlank)
    }

    /// An optional string: nil when absent, else checked as `requiredString`.
    public mutating func optionalString(_ field: String, maxLength: Int? = nil, trim: Bool = true, allowBlank: Bool = true) -> String? {
        guard let value = object[field] else { return nil }
        return string(field, value, maxLength: maxLength, trim: trim, allowBlank: allowBlank)
    }

    private mutating func string(_ field: String, _ value: JSONValue, maxLength: Int?, trim: Bool, allowBlank: Bool) -> String? {
        guard case .string(var text) = value else {
            add(field, value == .null ? "This field may not be null." : "Not a valid string.")
            return nil
        }
        // DRF's CharField refuses NUL in every string field (ProhibitNullCharactersValidator);
        // PostgreSQL text cannot hold it either.
        if text.utf8.contains(0) {
            add(field, "Null characters are not allowed.")
            return nil
        }
        if trim { text = text.trimmingWhiteSpace() }
        if text.isEmpty && !allowBlank {
            add(field, "This field may not be blank.")
            return nil
        }
        if let maxLength, text.unicodeScalars.count > maxLength {
            add(field, "Ensure this field has no more than \(maxLength) characters.")
            return nil
        }
        return text
    }

    /// A required e-mail address, normalized; invalid ones are a field error.
    public mutating func requiredEmail(_ field: String) -> String? {
        guard let email = requiredString(field).map(EmailAddress.normalize) else { return nil }
        guard EmailAddress.isValid(email) else {
            add(field, "Enter a valid email address.")
            return nil
        }
        return email
    }

    /// A required 6-digit code; a malformed one is a field error (and never counts as a wrong try).
    public mutating func requiredCode(_ field: String) -> String? {
        guard let code = requiredString(field) else { return nil }
        guard CodeHasher.isWellFormed(code) else {
            add(field, "Enter the 6-digit code.")
            return nil
        }
        return code
    }

    /// An optional boolean, read as DRF's `BooleanField` reads one: JSON true/false, 1/0, or
    /// the strings it lists ("true", "yes", "on", "1" and their opposites, any case).
    public mutating func optionalBool(_ field: String) -> Bool? {
        guard let value = object[field] else { return nil }
        if let parsed = Self.boolean(value) { return parsed }
        add(field, value == .null ? "This field may not be null." : "Must be a valid boolean.")
        return nil
    }

    /// DRF's `BooleanField` values (also its query-parameter filters' true/false); nil for anything else.
    public static func boolean(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .number(1): return true
        case .number(0): return false
        case .string(let text):
            switch text.lowercased() {
            case "true", "t", "yes", "y", "on", "1": return true
            case "false", "f", "no", "n", "off", "0": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// An optional list of strings, read as DRF's `ListField(child=CharField())`: nil when
    /// absent; a value that is not a list, or holds anything but non-blank strings, is an error.
    public mutating func optionalStringList(_ field: String, maxCount: Int = 50) -> [String]? {
        guard let value = object[field] else { return nil }
        guard case .array(let items) = value else {
            add(field, value == .null ? "This field may not be null." : "Expected a list of items but got type \"\(value.typeName)\".")
            return nil
        }
        guard items.count <= maxCount else {
            add(field, "Ensure this field has no more than \(maxCount) elements.")
            return nil
        }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item, !text.utf8.contains(0) else {
                add(field, "Not a valid string.")
                return nil
            }
            let trimmed = text.trimmingWhiteSpace()
            guard !trimmed.isEmpty else {
                add(field, "This field may not be blank.")
                return nil
            }
            strings.append(trimmed)
        }
        return strings
    }

    /// Throws the collected field errors, if any.
    public func finish() throws(AuthError) {
        try errors.throwIfAny()
    }
}

import Foundation
