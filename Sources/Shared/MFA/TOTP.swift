import Crypto
import Foundation

/// RFC 6238 time-based one-time passwords exactly as authenticator apps compute them: HMAC-SHA-1
/// (swift-crypto), 30-second steps counted from the Unix epoch, dynamic truncation (RFC 4226
/// 5.3), 6 digits. The clock is the caller's (`AuthClock`), so step arithmetic is testable.
public struct TOTP: Sendable {
    public static let period: Int64 = 30
    /// 160 bits, RFC 4226's recommended secret length.
    public static let secretLength = 20

    let secret: [UInt8]
    let digits: Int

    public init(secret: [UInt8], digits: Int = 6) {
        self.secret = secret
        self.digits = digits
    }

    /// The step a moment falls in.
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code of one step, zero-padded to `digits`.
    public func code(step: Int64) -> String {
        let counter = withUnsafeBytes(of: UInt64(bitPattern: step).bigEndian) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The step within `window` steps of `date` whose code is `code`, or nil. Every candidate is
    /// compared in constant time and all of them are computed, so the answer's timing says
    /// nothing about which step (or how many digits) matched.
    public func matchingStep(_ code: String, at date: Date, window: Int64 = 1) -> Int64? {
        let presented = Array(code.utf8)
        let now = Self.step(at: date)
        var found: Int64?
        for step in (now - window)...(now + window) {
            let expected = Array(self.code(step: step).utf8)
            var difference = UInt8(presented.count == expected.count ? 0 : 1)
            for (a, b) in zip(presented, expected) { difference |= a ^ b }
            if difference == 0, found == nil { found = step }
        }
        return found
    }

    /// The `otpauth://` URL authenticator apps scan (Key Uri Format): label `issuer:account`,
    /// the secret in base32, and the parameters spelled out.
    public static func provisioningURL(secret: [UInt8], issuer: String, account: String) -> String {
        func escape(_ text: String) -> String {
            // RFC 3986 unreserved characters (ASCII only) and `@`; everything else percent-encoded.
            let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")
            return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        }
        return "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(Base32.encode(secret))&issuer=\(escape(issuer))"
            + "&algorithm=SHA1&digits=6&period=30"
    }
}
