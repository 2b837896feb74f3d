import Foundation
import Testing
@testable import Shared

/// `JSONParser` against what DRF's `JSONParser` accepts: Python's `json` on the body decoded as
/// strict UTF-8, with NaN and Infinity refused (DRF's `parse_constant`). Python is the oracle, so
/// the answers are checked by software nobody here wrote. Where Python holds what a Swift
/// `String` or `Double` cannot (a lone surrogate, a number beyond `Double`'s range) the parser
/// refuses; everything else must be the same value or the same refusal.
@Suite("JSON parser")
struct JSONParserTests {
    static func ours(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONParser.parse(bytes)
    }

    /// Python's answer for each input: its value written back as plain JSON, nil when refused.
    static func python(_ inputs: [[UInt8]]) throws -> [JSONValue?] {
        let script = """
        import sys, json
        def refuse(name): raise ValueError(name)
        for line in sys.stdin:
            try:
                value = json.loads(bytes.fromhex(line.strip()).decode("utf-8"), parse_constant=refuse)
                print(json.dumps(value, allow_nan=True))
            except Exception:
                print("-")
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let text = inputs.map { Hex.encode($0) }.joined(separator: "\n") + "\n"
        let writer = Thread { input.fileHandleForWriting.write(Data(text.utf8)); try? input.fileHandleForWriting.close() }
        writer.start()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: answer, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == inputs.count)
        // Python's own output is canonical JSON; a lone surrogate (`"\ud800"`) or `Infinity` in it
        // is what this parser refuses on purpose, so those come back nil here too.
        return lines.map { $0 == "-" ? nil : try? JSONParser.parse(Array($0.utf8)) }
    }

    static let samples: [String] = [
        #"{}"#, #"[]"#, #"{"a":1}"#, #" { "a" : [ 1 , 2.5 , -3e2 , true , false , null ] } "#,
        #"{"email":"a@b.example","password":"x y","n":{"deep":[{"k":"v"}]}}"#,
        #""text""#, "1", "-0", "0.5", "1E+2", "1e-2", "true", "null",
        #"{"a":"\"\\\/\b\f\n\r\t"}"#, #"{"a":"\u00e9\u20ac\ud83d\ude00"}"#, #"{"a":"é€😀"}"#,
        #"{"a":1,"a":2}"#, #"{"":""}"#, "[[[[[]]]]]",
        "12345678901234567890", "1.7976931348623157e308", "5e-324",
        // Refused.
        "", " ", "{", "}", "[", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, "[1,]", "[,1]", #"{'a':1}"#,
        "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity", "-Infinity", "1e400", "-1e400",
        "tru", "nul", "falsey", #"{"a":1}x"#, "[1 2]", #"{"a" 1}"#, #""abc"#, #""\x""#, #""\u12""#,
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "\"a\u{1}b\"", "\"tab\there\"", "{}{}",
        "/* c */ {}", "[1] // c", "\u{FEFF}{}", "\u{0}0", #"{"a":1,"a":2E}"#,
    ]

    @Test("Every sample: Python's value, or refused as Python refuses it")
    func samplesAgree() throws {
        let inputs = Self.samples.map { Array($0.utf8) }
        for (input, expected) in zip(inputs, try Self.python(inputs)) {
            #expect(Self.ours(input) == expected, "\(String(decoding: input, as: UTF8.self))")
        }
        #expect(Self.ours(Array(#"{"a":1,"a":2}"#.utf8)) == .object(["a": .number(2)]), "the last of a repeated key")
        #expect(Self.ours(Array(#""\u00e9\ud83d\ude00""#.utf8)) == .string("é😀"))
    }

    @Test("Invalid UTF-8 is refused inside and outside strings")
    func invalidUTF8() throws {
        let inputs: [[UInt8]] = [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x7B, 0xFF, 0x7D],
                                 [0x22, 0x5C, 0x6E, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22]]
        for (input, expected) in zip(inputs, try Self.python(inputs)) {
            #expect(expected == nil)
            #expect(Self.ours(input) == nil, "\(input)")
        }
    }

    @Test("Nesting beyond the limit is refused, not a stack overflow")
    func depth() {
        let deep = Array(String(repeating: "[", count: 100_000).utf8)
        #expect(Self.ours(deep) == nil)
        let fine = Array((String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)).utf8)
        #expect(Self.ours(fine) != nil)
        let over = Array((String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)).utf8)
        #expect(Self.ours(over) == nil)
    }

    @Test("Random mutations of valid documents: the same answer as Python")
    func mutations() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \ntfalsenul\u"#.utf8) + [0xC3, 0xA9, 0xFF, 0x00, 0x1F, 0x09]
        let seeds = Self.samples.prefix(22).map { Array($0.utf8) }
        var inputs: [[UInt8]] = []
        for _ in 0..<20_000 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
                let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 3 {
                case 0 where !bytes.isEmpty: bytes[at] = byte
                case 1 where !bytes.isEmpty: bytes.remove(at: at)
                default: bytes.insert(byte, at: at)
                }
            }
            inputs.append(bytes)
        }
        let expected = try Self.python(inputs)
        var accepted = 0
        for (input, answer) in zip(inputs, expected) {
            #expect(Self.ours(input) == answer, "\(input)")
            accepted += answer == nil ? 0 : 1
        }
        // The mutations must exercise acceptance too, not only refusals.
        #expect(accepted > 2_000)
    }
}

/// SplitMix64: reproducible pseudo-random inputs for the tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
