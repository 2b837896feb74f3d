import Shared

/// The user as the API shows it: never the password hash, never internal flags. Made from a
/// `User` field by field; `User` itself is not `Encodable`, so no response can serialise one.
struct UserResponse: JSONBody, Decodable, Equatable {
    var id: Int64
    var email: String
    var firstName: String
    var lastName: String
    var isVerified: Bool
    var isStaff: Bool
    var dateJoined: String
    var mfaEnabled: Bool

    enum CodingKeys: String, CodingKey {
        case id, email
        case firstName = "first_name"
        case lastName = "last_name"
        case isVerified = "is_verified"
        case isStaff = "is_staff"
        case dateJoined = "date_joined"
        case mfaEnabled = "mfa_enabled"
    }

    init(_ user: User) {
        id = user.id ?? 0
        email = user.email
        firstName = user.firstName
        lastName = user.lastName
        isVerified = user.isVerified
        isStaff = user.isStaff
        dateJoined = ISO8601Text.string(user.dateJoined)
        mfaEnabled = user.mfaEnabled
    }
}

extension UserResponse {
    /// Written by hand: this body is on every authenticated read (GET me). The same text
    /// `JSONEncoder` writes with sorted keys and unescaped slashes (`UserResponseJSONTests`
    /// compares them, awkward names included).
    ///
    /// Kept for its measured gain (release, SQLite, 2026-12-08, 6 alternating rounds of wrk
    /// `-c16` on one database, the API's CPU time per request read from /proc): GET me took a
    /// median 142.8 µs of CPU with this writer and 162.1 µs with `JSONEncoder` (−12 %), while
    /// token/verify, which does not use it, differed by 4.0 µs (156.3 against 160.3) in the
    /// same run. Throughput A/B on this machine drifts too much (±7 % between rounds) to show it.
    /// No other response has a hand-written writer: none is on a path that hot.
    func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + email.utf8.count + firstName.utf8.count + lastName.utf8.count)
        func key(_ name: StaticString) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func bool(_ value: Bool) { out.append(contentsOf: (value ? "true" : "false").utf8) }
        key("date_joined"); JSONText.appendString(dateJoined, to: &out)
        key("email"); JSONText.appendString(email, to: &out)
        key("first_name"); JSONText.appendString(firstName, to: &out)
        key("id"); JSONText.appendInteger(id, to: &out)
        key("is_staff"); bool(isStaff)
        key("is_verified"); bool(isVerified)
        key("last_name"); JSONText.appendString(lastName, to: &out)
        key("mfa_enabled"); bool(mfaEnabled)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
