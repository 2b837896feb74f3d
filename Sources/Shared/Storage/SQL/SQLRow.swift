import Foundation

/// A row read by a rule, by column name, whichever database it came from.
public struct SQLRow: Sendable {
    let values: [String: SQLValue]

    public init(_ values: [String: SQLValue]) {
        self.values = values
    }

    func value(_ column: String) throws -> SQLValue {
        guard let value = values[column] else { throw SQLRowError.missingColumn(column) }
        return value
    }

    public func int64(_ column: String) throws -> Int64 {
        switch try value(column) {
        case .integer(let n): return n
        case .real(let d) where d.rounded() == d: return Int64(d)
        case .boolean(let b): return b ? 1 : 0
        default: throw SQLRowError.wrongType(column)
        }
    }

    public func int(_ column: String) throws -> Int { Int(try int64(column)) }

    public func optionalInt64(_ column: String) throws -> Int64? {
        if case .null = try value(column) { return nil }
        return try int64(column)
    }

    public func double(_ column: String) throws -> Double {
        switch try value(column) {
        case .real(let d): return d
        case .integer(let n): return Double(n)
        default: throw SQLRowError.wrongType(column)
        }
    }

    public func optionalDouble(_ column: String) throws -> Double? {
        if case .null = try value(column) { return nil }
        return try double(column)
    }

    public func date(_ column: String) throws -> Date { Date(timeIntervalSince1970: try double(column)) }

    public func optionalDate(_ column: String) throws -> Date? { try optionalDouble(column).map(Date.init(timeIntervalSince1970:)) }

    public func text(_ column: String) throws -> String {
        guard case .text(let s) = try value(column) else { throw SQLRowError.wrongType(column) }
        return s
    }

    public func optionalText(_ column: String) throws -> String? {
        if case .null = try value(column) { return nil }
        return try text(column)
    }

    public func bool(_ column: String) throws -> Bool {
        switch try value(column) {
        case .boolean(let b): return b
        case .integer(let n): return n != 0
        default: throw SQLRowError.wrongType(column)
        }
    }

    public func bytes(_ column: String) throws -> Data {
        guard case .bytes(let d) = try value(column) else { throw SQLRowError.wrongType(column) }
        return d
    }

    public func optionalBytes(_ column: String) throws -> Data? {
        switch try value(column) {
        case .null: return nil
        case .bytes(let d): return d
        default: throw SQLRowError.wrongType(column)
        }
    }
}

public enum SQLRowError: Error, Equatable {
    case missingColumn(String)
    case wrongType(String)
}
