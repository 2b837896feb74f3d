import Foundation
import GRDB

/// The storage conventions of every table: snake_case columns, dates as Unix seconds (REAL), so
/// SQL can compare timestamps (`expires_at > ?`) without parsing text.
public protocol StoredRecord: FetchableRecord, EncodableRecord {}

extension StoredRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { .timeIntervalSince1970 }
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { .timeIntervalSince1970 }
}
