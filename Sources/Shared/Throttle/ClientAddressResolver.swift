import Foundation

/// The client IP of a request: the TCP peer, unless the peer is a trusted proxy
/// (`AUTH_TRUSTED_PROXIES`), in which case `X-Forwarded-For` is read from the right, skipping
/// trusted hops — so a client cannot choose its own throttling bucket by sending the header.
public struct ClientAddressResolver: Sendable {
    public struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        /// `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`, `::1`.
        public init?(_ text: String) {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1)
            guard let first = parts.first, let bytes = ClientAddressResolver.parse(String(first)) else { return nil }
            let bits = bytes.count * 8
            if parts.count == 2 {
                guard let prefix = Int(parts[1]), prefix >= 0, prefix <= bits else { return nil }
                self.prefix = prefix
            } else {
                self.prefix = bits
            }
            self.bytes = bytes
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for (a, b) in zip(address, bytes) where remaining > 0 {
                let take = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
                if a & mask != b & mask { return false }
                remaining -= take
            }
            return true
        }
    }

    public let trusted: [Network]

    public init(trusted: [Network] = []) {
        self.trusted = trusted
    }

    public func isTrusted(_ address: String) -> Bool {
        guard let bytes = Self.parse(address) else { return false }
        return trusted.contains { $0.contains(bytes) }
    }

    /// `forwardedFor`: every `X-Forwarded-For` header value, in order.
    public func resolve(peer: String, forwardedFor: [String]) -> String {
        guard !trusted.isEmpty, isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard Self.parse(hop) != nil else { return peer }  // garbage: do not trust anything further left
            if !isTrusted(hop) { return hop }
        }
        return hops.first.flatMap { Self.parse($0) != nil ? $0 : nil } ?? peer
    }

    /// The bytes of an IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4).
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
            return bytes
        }
        return nil
    }
}
