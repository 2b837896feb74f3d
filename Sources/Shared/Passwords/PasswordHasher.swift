import Foundation

/// A password hashing strategy with self-describing stored strings, as Django's hashers:
/// `needsRehash` lets login quietly upgrade hashes made with older parameters.
public protocol PasswordHasher: Sendable {
    /// Hashes off the caller's thread; never blocks request handling.
    func hash(_ password: String) async throws -> String
    /// Timing-safe check of a password against a stored string; false for malformed strings.
    func verify(_ password: String, against stored: String) async -> Bool
    /// Whether a stored string was made with other parameters than the current ones.
    func needsRehash(_ stored: String) -> Bool
}
