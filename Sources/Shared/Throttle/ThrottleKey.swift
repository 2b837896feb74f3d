import Crypto
import Foundation

/// Whom a rate limit counts: a client address, an e-mail address, an account, or the
/// confirmations of one address's password resets (a bucket of their own, so requesting resets
/// for an address cannot block its owner's confirmation).
public enum ThrottleKey: Sendable, Hashable {
    case ip(String)
    /// A normalized address's key (`EmailAddress.key`).
    case email(String)
    case user(Int64)
    case resetConfirmation(emailKey: String)

    /// The stored form; stable, so counters written before a restart or by another replica
    /// count. An address is stored as its SHA-256: the counters of an address an account held
    /// before an e-mail change, or that someone tried for a reset, never hold the address
    /// itself, and they expire with their window.
    public var stored: String {
        switch self {
        case .ip(let ip): return "ip:" + ip
        case .email(let key): return "email:" + Self.digest(key)
        case .user(let id): return "user:\(id)"
        case .resetConfirmation(let key): return "confirm:" + Self.digest(key)
        }
    }

    static func digest(_ key: String) -> String {
        Hex.encode(SHA256.hash(data: Data(key.utf8)))
    }
}
