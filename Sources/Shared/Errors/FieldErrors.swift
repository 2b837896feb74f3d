/// The problems of a request's fields, collected so that every wrong field is reported at once
/// (DRF's serializer errors): the edge adds what it could not read, the use case what it refuses.
public struct FieldErrors: Sendable, Equatable {
    public private(set) var messages: [String: [String]]

    public init(_ messages: [String: [String]] = [:]) {
        self.messages = messages
    }

    public var isEmpty: Bool { messages.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        messages[field, default: []].append(message)
    }

    public subscript(field: String) -> [String] { messages[field] ?? [] }

    /// Throws the collected errors, if any.
    public func throwIfAny() throws(AuthError) {
        if !isEmpty { throw AuthError.fields(self) }
    }
}
