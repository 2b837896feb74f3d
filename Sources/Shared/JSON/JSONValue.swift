import Foundation

/// Any JSON value: request bodies are decoded into this first, so that wrong types become
/// field errors with DRF's messages instead of decoding failures.
public enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a request body: it must be a JSON object (DRF's serializers refuse anything else).
    public static func parseObject(_ data: Data) throws(APIError) -> [String: JSONValue] {
        if data.isEmpty { return [:] }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw APIError.parseError
        }
        guard case .object(let object) = value else {
            let kind: String
            switch value {
            case .array: kind = "list"
            case .null: kind = "NoneType"
            case .bool: kind = "bool"
            case .number: kind = "number"
            case .string: kind = "str"
            case .object: kind = "dict"
            }
            throw APIError.fields(["non_field_errors": ["Invalid data. Expected a dictionary, but got \(kind)."]])
        }
        return object
    }
}
