import Foundation

/// `AuthAPI import-django FILE`: the users of a Django project, read from the output of
/// `manage.py dumpdata <app>.<User model>` (a JSON array of `{"model", "pk", "fields"}`), for a
/// user model with an e-mail field — the seed's custom model or `auth.User`. Ids, address,
/// names, flags, `date_joined` and `last_login` are kept; Django password hashes are stored
/// as they are and replaced by Argon2id at the first login. Every record is checked before
/// anything is written, and every problem is reported with its line in the file: an invalid
/// or duplicate address (case-insensitively, in the file or in the database) refuses the file.
public struct DjangoUserImport: Sendable {
    /// A refused record: where it starts in the file, and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public struct Report: Sendable, Equatable {
        public var imported: Int
        /// The id the next signup gets.
        public var nextId: Int64
        /// Accounts whose hash no supported hasher reads: they sign in after a password reset.
        public var unsupportedHashes: Int
        public var unusablePasswords: Int
    }

    public enum Failure: Error, Sendable, Equatable {
        case unreadable(String)
        case refused([Problem])
        /// An id or address was taken by another writer between the check and the import.
        case takenMeanwhile
    }

    let store: any AuthStore

    public init(store: any AuthStore) {
        self.store = store
    }

    /// Reads, checks and imports the file in one transaction; nothing is written on any problem.
    public func run(file bytes: [UInt8]) async throws -> Report {
        let (users, lines) = try Self.parse(bytes)
        var problems: [Problem] = []
        let conflicts = try await store.importConflicts(ids: users.map { $0.id ?? 0 }, emailKeys: users.map(\.emailKey))
        for (index, user) in users.enumerated() {
            if conflicts.ids.contains(user.id ?? 0) {
                problems.append(Problem(line: lines[index], message: "user \(user.id ?? 0): the id is taken in the database"))
            }
            if conflicts.emailKeys.contains(user.emailKey) {
                problems.append(Problem(line: lines[index], message: "user \(user.id ?? 0): \(user.email) already has an account in the database"))
            }
        }
        guard problems.isEmpty else { throw Failure.refused(problems) }
        guard case .inserted(let nextId) = try await store.importUsers(users) else { throw Failure.takenMeanwhile }
        let unusable = users.filter { DjangoPasswordHash.isUnusable($0.password) }.count
        let unsupported = users.filter {
            !DjangoPasswordHash.isUnusable($0.password) && DjangoPasswordHash.format(of: $0.password) == nil
                && Argon2idHasher.parameters(of: $0.password) == nil
        }.count
        return Report(imported: users.count, nextId: nextId, unsupportedHashes: unsupported, unusablePasswords: unusable)
    }

    /// The users of the file and the line each record starts on; every problem of the file at once.
    static func parse(_ bytes: [UInt8]) throws -> ([User], [Int]) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw Failure.unreadable("not JSON (at line \(Self.line(of: error.offset, in: bytes))): expected the output of manage.py dumpdata")
        }
        guard case .array(let records) = value else { throw Failure.unreadable("expected a JSON array of records, as manage.py dumpdata writes") }
        let lines = Self.elementLines(bytes)
        var users: [User] = []
        var problems: [Problem] = []
        var firstLineOfKey: [String: Int] = [:]
        var firstLineOfId: [Int64: Int] = [:]
        for (index, record) in records.enumerated() {
            let line = index < lines.count ? lines[index] : 1
            let user: User
            do {
                user = try Self.user(record)
            } catch {
                problems.append(Problem(line: line, message: error.text))
                continue
            }
            let id = user.id ?? 0
            if let earlier = firstLineOfKey[user.emailKey] {
                problems.append(Problem(line: line, message: "user \(id): duplicate address \(user.email) (also on line \(earlier))"))
            } else {
                firstLineOfKey[user.emailKey] = line
            }
            if let earlier = firstLineOfId[id] {
                problems.append(Problem(line: line, message: "user \(id): duplicate id (also on line \(earlier))"))
            } else {
                firstLineOfId[id] = line
            }
            users.append(user)
        }
        guard problems.isEmpty else { throw Failure.refused(problems) }
        return (users, lines)
    }

    struct RecordProblem: Error { let text: String }

    /// One `{"model", "pk", "fields"}` record as a user.
    static func user(_ record: JSONValue) throws(RecordProblem) -> User {
        guard case .object(let object) = record, case .object(let fields)? = object["fields"] else {
            throw RecordProblem(text: "not a dumpdata record (expected {\"model\", \"pk\", \"fields\"})")
        }
        guard case .number(let pk)? = object["pk"], pk >= 1, pk <= 9_007_199_254_740_991, pk == pk.rounded() else {
            throw RecordProblem(text: "the record has no integer primary key (pk)")
        }
        let id = Int64(pk)
        guard case .string(let rawEmail)? = fields["email"] else { throw RecordProblem(text: "user \(id): no email field (is this a user model?)") }
        let email = EmailAddress.normalize(rawEmail)
        guard EmailAddress.isValid(email) else { throw RecordProblem(text: "user \(id): invalid address \"\(rawEmail)\"") }
        guard case .string(let password)? = fields["password"], !password.utf8.contains(0) else {
            throw RecordProblem(text: "user \(id): no password field")
        }
        func text(_ name: String) throws(RecordProblem) -> String {
            switch fields[name] {
            case nil, .null?: return ""
            case .string(let value)?:
                guard value.unicodeScalars.count <= 150, !value.utf8.contains(0) else {
                    throw RecordProblem(text: "user \(id): \(name) is longer than 150 characters")
                }
                return value
            default: throw RecordProblem(text: "user \(id): \(name) is not a string")
            }
        }
        func flag(_ name: String, absent: Bool) throws(RecordProblem) -> Bool {
            switch fields[name] {
            case nil: return absent
            case .bool(let value)?: return value
            default: throw RecordProblem(text: "user \(id): \(name) is not true or false")
            }
        }
        func time(_ name: String) throws(RecordProblem) -> Date? {
            switch fields[name] {
            case nil, .null?: return nil
            case .string(let value)?:
                guard let date = DjangoDateTime.parse(value) else { throw RecordProblem(text: "user \(id): \(name) \"\(value)\" is not a date and time") }
                return date
            default: throw RecordProblem(text: "user \(id): \(name) is not a date and time")
            }
        }
        guard let joined = try time("date_joined") else { throw RecordProblem(text: "user \(id): no date_joined") }
        return User(
            id: id, email: email, password: password, firstName: try text("first_name"), lastName: try text("last_name"),
            isActive: try flag("is_active", absent: true), isStaff: try flag("is_staff", absent: false),
            isSuperuser: try flag("is_superuser", absent: false),
            // The seed's model has the flag; `auth.User` does not: an address set is taken as verified.
            isVerified: try flag("is_verified", absent: true),
            dateJoined: joined, lastLogin: try time("last_login"))
    }

    /// The line on which each element of the top-level array starts (strings skipped, so a
    /// bracket inside an address or a name does not count).
    static func elementLines(_ bytes: [UInt8]) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        var expectingElement = false
        for byte in bytes {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            let isSpace = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
            if expectingElement && !isSpace && byte != UInt8(ascii: "]") {
                lines.append(line)
                expectingElement = false
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth == 1 && byte == UInt8(ascii: "[") { expectingElement = true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            case UInt8(ascii: ","): if depth == 1 { expectingElement = true }
            default: break
            }
        }
        return lines
    }

    static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes.prefix(max(0, offset)).filter { $0 == UInt8(ascii: "\n") }.count
    }
}

/// Django's serialized date-times: `2026-11-24T10:00:00Z`, with `.fff`/`.ffffff` and an
/// offset (`+02:00`) or none (a project with `USE_TZ = False`: taken as UTC).
enum DjangoDateTime {
    static func parse(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[start..<start + count] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard scalars.count >= 19, let year = digits(0, 4), scalars[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              scalars[7] == UInt8(ascii: "-"), let day = digits(8, 2), scalars[10] == UInt8(ascii: "T") || scalars[10] == UInt8(ascii: " "),
              let hour = digits(11, 2), scalars[13] == UInt8(ascii: ":"), let minute = digits(14, 2), scalars[16] == UInt8(ascii: ":"),
              let second = digits(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < scalars.count, (0x30...0x39).contains(scalars[index]) {
                fraction += Double(scalars[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if index < scalars.count {
            switch scalars[index] {
            case UInt8(ascii: "Z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = scalars[index] == UInt8(ascii: "-") ? -1 : 1
                guard let hours = digits(index + 1, 2), index + 3 < scalars.count, scalars[index + 3] == UInt8(ascii: ":"),
                      let minutes = digits(index + 4, 2) else { return nil }
                offset = sign * (hours * 3_600 + minutes * 60)
                index += 6
            default: return nil
            }
        }
        guard index == scalars.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }
}
