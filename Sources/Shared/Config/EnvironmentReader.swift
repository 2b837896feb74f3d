import Foundation

/// Reads typed settings from the process environment and collects every problem,
/// so that start-up reports all wrong variables at once, one readable line each.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]
    public private(set) var problems: [String] = []

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The raw value, with an empty string treated as unset.
    public func raw(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public mutating func string(_ name: String, default def: String) -> String {
        raw(name) ?? def
    }

    public mutating func integer(_ name: String, default def: Int, range: ClosedRange<Int>) -> Int {
        guard let text = raw(name) else { return def }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            problems.append("\(name)=\(text): expected an integer in \(range.lowerBound)...\(range.upperBound)")
            return def
        }
        return value
    }

    /// A port to listen on, or nil when unset (the listener is off).
    public mutating func optionalPort(_ name: String) -> Int? {
        guard raw(name) != nil else { return nil }
        let port = integer(name, default: -1, range: 0...65_535)
        return port < 0 ? nil : port
    }

    public mutating func flag(_ name: String, default def: Bool) -> Bool {
        guard let text = raw(name) else { return def }
        switch text.lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default:
            problems.append("\(name)=\(text): expected on or off")
            return def
        }
    }

    public mutating func choice<T: RawRepresentable & CaseIterable>(
        _ name: String, default def: T
    ) -> T where T.RawValue == String {
        guard let text = raw(name) else { return def }
        guard let value = T(rawValue: text.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            problems.append("\(name)=\(text): expected one of \(allowed)")
            return def
        }
        return value
    }

    public mutating func report(_ problem: String) {
        problems.append(problem)
    }
}

/// Start-up configuration that cannot be used; `description` holds one line per problem.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String {
        problems.map { "configuration error: \($0)" }.joined(separator: "\n")
    }
}
