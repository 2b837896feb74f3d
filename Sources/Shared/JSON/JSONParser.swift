/// A strict RFC 8259 parser from UTF-8 bytes to `JSONValue`, for request bodies and token parts.
///
/// Why not `JSONDecoder`: decoding into an enum of any JSON value goes through `Decodable`'s
/// single-value container, which can only try each type in turn and throws for every miss; on
/// the token endpoints that was about a tenth of the request (profile of `token/verify`). This
/// reads each byte once and accepts exactly what `JSONDecoder` accepts for such a value (the
/// differential tests hold it to that): no comments, no trailing commas, no `NaN`, no leading
/// zeros, no control characters in strings, valid UTF-8 only, paired surrogates only, finite
/// numbers only. A repeated key keeps its last value, as Python's `json` and `JSONDecoder` do.
public enum JSONParser {
    public struct Failure: Error, Equatable {
        /// Byte offset where the input stopped making sense.
        public let offset: Int
    }

    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maxDepth = 512

    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Failure) in try parse(buffer) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(Failure) in try parse(buffer) }
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var reader = Reader(bytes: buffer)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.position == buffer.count else { throw Failure(offset: reader.position) }
        return value
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        func fail() -> Failure { Failure(offset: position) }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard let byte = current else { throw fail() }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail()
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard bytes.count - position >= count else { throw fail() }
            for i in 0..<count where bytes[position + i] != word.utf8Start[i] { throw fail() }
            position += count
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw fail() }
            position += 1
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                guard current == UInt8(ascii: "\"") else { throw fail() }
                let key = try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail() }
                position += 1
                skipWhitespace()
                members[key] = try value(depth: depth)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace()
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default:
                    throw fail()
                }
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw fail() }
            position += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                elements.append(try value(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace()
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(elements)
                default:
                    throw fail()
                }
            }
        }

        /// A string from its opening quote: the common case without escapes is validated and
        /// copied in one go.
        mutating func string() throws(Failure) -> String {
            position += 1
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    else { throw Failure(offset: start) }
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { throw fail() }
                position += 1
            }
            // With escapes: the raw runs are still validated as UTF-8 before they are kept.
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    guard let text = String(validating: out, as: UTF8.self) else { throw Failure(offset: start) }
                    return text
                case UInt8(ascii: "\\"):
                    position += 1
                    guard let escaped = current else { throw fail() }
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"): out.append(contentsOf: try unicodeEscape())
                    default: throw fail()
                    }
                case 0..<0x20:
                    throw fail()
                default:
                    out.append(byte)
                    position += 1
                }
            }
            throw fail()
        }

        /// After `\u`: four hex digits, and for a high surrogate the `\uDC00`-`\uDFFF` that must
        /// follow it. A lone surrogate is not a Unicode scalar and is refused.
        mutating func unicodeEscape() throws(Failure) -> [UInt8] {
            let first = try hex4()
            var scalarValue = UInt32(first)
            if (0xD800..<0xDC00).contains(first) {
                guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                      bytes[position + 1] == UInt8(ascii: "u")
                else { throw fail() }
                position += 2
                let second = try hex4()
                guard (0xDC00..<0xE000).contains(second) else { throw fail() }
                scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw fail() }
            return Array(String(Character(scalar)).utf8)
        }

        mutating func hex4() throws(Failure) -> UInt16 {
            guard bytes.count - position >= 4 else { throw fail() }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail()
                }
                value = value << 4 | UInt16(digit)
                position += 1
            }
            return value
        }

        /// RFC 8259's number grammar checked byte by byte, then converted by the standard
        /// library; a value outside `Double`'s range is refused, as `JSONDecoder` refuses it.
        mutating func number() throws(Failure) -> Double {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            guard let lead = current, isDigit(lead) else { throw fail() }
            position += 1
            if lead != UInt8(ascii: "0") { skipDigits() }
            if current == UInt8(ascii: ".") {
                position += 1
                guard let digit = current, isDigit(digit) else { throw fail() }
                skipDigits()
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard let digit = current, isDigit(digit) else { throw fail() }
                skipDigits()
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else { throw Failure(offset: start) }
            return number
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func skipDigits() {
            while let byte = current, isDigit(byte) { position += 1 }
        }
    }
}
