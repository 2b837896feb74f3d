import Foundation
import Logging

/// `LOG_FORMAT=json`: each log line one JSON object on standard error — `time`, `level`,
/// `logger`, `message`, then the metadata under its own dotted keys (`user.id`, `job.id`,
/// `audit.event`), nested metadata flattened with dots — for log collectors that read JSON.
/// Each line is one `write(2)`, so lines of concurrent tasks never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let descriptor: Int32

    public init(label: String, descriptor: Int32 = STDERR_FILENO, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.descriptor = descriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var line = Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
        line.withUnsafeMutableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { if errno == EINTR { continue }; return }
                offset += written
            }
        }
    }

    /// One line: the fixed fields, then the metadata keys sorted (a stable shape for tests and diffs).
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var first = true
        func field(_ key: String, _ value: (inout [UInt8]) -> Void) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            JSONText.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            value(&out)
        }
        field("time") { JSONText.appendString(Self.timestamp(time), to: &$0) }
        field("level") { JSONText.appendString(level.rawValue, to: &$0) }
        field("logger") { JSONText.appendString(label, to: &$0) }
        field("message") { JSONText.appendString(message, to: &$0) }
        var flat: [(String, Logger.Metadata.Value)] = []
        func flatten(_ metadata: Logger.Metadata, prefix: String) {
            for (key, value) in metadata {
                if case .dictionary(let nested) = value { flatten(nested, prefix: prefix + key + ".") } else { flat.append((prefix + key, value)) }
            }
        }
        flatten(metadata, prefix: "")
        for (key, value) in flat.sorted(by: { $0.0 < $1.0 }) where !["time", "level", "logger", "message"].contains(key) {
            field(key) { appendValue(value, to: &$0) }
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// UTC with milliseconds: `2026-12-02T08:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1_000).rounded(.down)) % 1_000
        let whole = ISO8601Text.string(date)
        return whole.dropLast() + "." + String(String(millis + 1_000).dropFirst()) + "Z"
    }

    static func appendValue(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let text): JSONText.appendString(text, to: &out)
        case .stringConvertible(let convertible): JSONText.appendString(convertible.description, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let nested):
            // Only inside arrays (top-level dictionaries are flattened).
            out.append(UInt8(ascii: "{"))
            for (index, (key, item)) in nested.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendValue(item, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
