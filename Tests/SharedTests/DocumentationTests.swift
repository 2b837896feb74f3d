import Foundation
import Shared
import Testing

/// What operators read must name every audit event type and every rate: a type or scope added
/// in code without its line in README fails here.
@Suite("README documents every audit event and every rate")
struct DocumentationTests {
    static let readme: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").standardizedFileURL
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The first column of the table under `### Audit events`.
    static func documentedAuditTypes() -> [String] {
        guard let start = readme.range(of: "### Audit events") else { return [] }
        let section = readme[start.upperBound...].prefix { _ in true }
        var types: [String] = []
        var inTable = false
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                inTable = true
                let first = line.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                if first.hasPrefix("`"), first.hasSuffix("`") { types.append(String(first.dropFirst().dropLast())) }
            } else if inTable {
                break
            }
        }
        return types
    }

    @Test("The audit events table and AuditEvent list the same types")
    func auditEvents() {
        let documented = Self.documentedAuditTypes()
        #expect(!documented.isEmpty, "README has no audit events table")
        let types = AuditEvent.allCases.map(\.rawValue)
        for type in types { #expect(documented.contains(type), "audit event \(type) is not documented in README's audit events table") }
        for type in documented { #expect(types.contains(type), "README documents \(type), which AuditEvent does not have") }
    }

    @Test("Every throttle scope's default rate is in README's AUTH_THROTTLE_RATES line")
    func throttleScopes() throws {
        let line = try #require(Self.readme.split(separator: "\n").first { $0.contains("`AUTH_THROTTLE_RATES`") })
        for scope in ThrottleScope.allCases {
            let rate = ThrottleRates.defaults[scope]
            #expect(line.contains("\(scope.rawValue)=\(rate.count)/"), "rate \(scope.rawValue) (default \(rate.count)) is not in README: \(line)")
        }
    }
}
