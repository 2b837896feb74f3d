/// The text of a statement that runs on (nearly) every request, named so that PostgreSQL can
/// prepare it once per connection and then only bind and execute it: parsing and planning the
/// session lookup on each request cost PostgreSQL more than running it (GET me 11k -> 15-19k
/// req/s prepared). SQLite needs no flag: GRDB keeps every statement prepared by its text.
public protocol PreparedSQL: Sendable {
    /// The name of the prepared statement on each connection (unique among them).
    static var name: String { get }
    /// The statement, with `?` placeholders, as `SQLStatement` takes it.
    static var template: String { get }
    /// Its row lock: part of the prepared text.
    static var lock: SQLStatement.Lock { get }
}

extension PreparedSQL {
    public static var lock: SQLStatement.Lock { .none }
}

extension SQLStatement {
    /// A statement with a prepared text: the same as `SQLStatement(Text.template, ...)`, and
    /// PostgreSQL runs it prepared.
    public init<Text: PreparedSQL>(_ text: Text.Type, _ arguments: any SQLBindable...) {
        self.init(Text.template, arguments: arguments.map { $0.sqlValue }, lock: Text.lock)
        prepared = text
    }
}
