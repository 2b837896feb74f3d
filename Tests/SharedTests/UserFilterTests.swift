import Testing
@testable import Shared

/// `?search=` split as DRF 3.15's `SearchFilter` splits it (`search_smart_split`): every term
/// must match, so the words are what counts, not the text between them.
@Suite("Admin user search terms")
struct UserFilterTests {
    @Test("Words split on white space and commas; quoted phrases stay whole; nothing empty")
    func terms() {
        #expect(UserFilter(search: "ada").terms == ["ada"])
        #expect(UserFilter(search: "  ada   lovelace ").terms == ["ada", "lovelace"])
        #expect(UserFilter(search: "ada,lovelace, ,example.com").terms == ["ada", "lovelace", "example.com"])
        #expect(UserFilter(search: "\"ada lovelace\" x").terms == ["ada lovelace", "x"])
        #expect(UserFilter(search: "'it\\'s' b").terms == ["it's", "b"])
        #expect(UserFilter(search: "\"unclosed phrase").terms == ["\"unclosed", "phrase"])
        #expect(UserFilter(search: "a\u{3000}b\tc\nd").terms == ["a", "b", "c", "d"], "Unicode white space, as Python's split()")
        #expect(UserFilter(search: " , ").terms.isEmpty)
        #expect(UserFilter(search: nil).terms.isEmpty)
        #expect(UserFilter(search: "50%_off").terms == ["50%_off"], "wildcards are the database's business (escaped there)")
    }
}
