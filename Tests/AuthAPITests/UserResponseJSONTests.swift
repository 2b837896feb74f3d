import Foundation
import Shared
import Testing
@testable import AuthAPI

/// Bodies written by hand must be the very text `JSONEncoder` wrote before them.
@Suite("The hand-written user body")
struct UserResponseJSONTests {
    static func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("The user: byte for byte what JSONEncoder writes, awkward names included")
    func user() throws {
        let names = ["", "Grace", #"quote " and \ backslash"#, "slash / é 😀 \u{7F}", "\u{1}\u{1F}\t\n\r\u{8}\u{C}",
                     "\u{2028}\u{2029}\u{FEFF}", "中文"]
        for (i, name) in names.enumerated() {
            let user = UserResponse(User(
                id: Int64(i + 1) * 1_000_003, email: "a+\(i)@example.com", password: "x", firstName: name, lastName: names.reversed()[i],
                isStaff: i % 3 == 0, isVerified: i % 2 == 0, dateJoined: Date(timeIntervalSince1970: 1_790_000_000 + Double(i))))
            #expect(String(decoding: user.jsonBytes(), as: UTF8.self) == (try Self.foundation(user)), "\(name.debugDescription)")
            #expect(try JSONDecoder().decode(UserResponse.self, from: Data(user.jsonBytes())) == user)
        }
    }
}
