import Foundation
@testable import Shared
import Testing
@testable import AuthAPI

/// The export shows every table `PersonalData` says it does, under the key it names.
@Suite("The export covers every exported table")
struct AccountExportCoverageTests {
    @Test("Each exported table's field is a top-level key of GET /me/export/'s document")
    func fields() throws {
        let user = User(id: 1, email: "export@example.com", password: "hash", dateJoined: Date(timeIntervalSince1970: 1_700_000_000))
        let export = AccountExport(user: user, sessions: [], events: [], mailJobs: [], totp: false, recoveryCodesLeft: 0)
        let body = try AccountExportResponse(export, exportedAt: Date(timeIntervalSince1970: 1_700_000_000)).jsonBytes()
        let keys = Set(try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]).keys)
        for table in PersonalData.tables {
            guard case .exported(let field) = table.export else { continue }
            #expect(keys.contains(field), "\(table.name) is exported as \(field), which the export lacks: \(keys.sorted())")
        }
    }
}
