import Foundation

/// The contract's rule for the URIs a client registers (redirect and post-logout): absolute,
/// no fragment; `https://`, or `http://` on a loopback host, or, for a public client, a
/// private-use scheme with a dot (`com.example.app:/cb`, RFC 8252 §7.1). Requests must then
/// name one exactly, so nothing here normalises.
public enum RedirectURI {
    /// Longer URIs are refused: they are never legitimate, and each is stored and compared.
    public static let maxLength = 2000

    /// Why `uri` cannot be registered, or nil when it can.
    public static func problem(_ uri: String, isPublic: Bool) -> String? {
        guard !uri.isEmpty, uri.utf8.count <= maxLength, !uri.contains(where: { $0.isWhitespace }),
              let parts = URLComponents(string: uri), let scheme = parts.scheme?.lowercased()
        else { return "Enter a valid URI: \(uri.prefix(100))" }
        guard parts.fragment == nil, !uri.contains("#") else { return "A redirect URI may not have a fragment: \(uri.prefix(100))" }
        switch scheme {
        case "https":
            guard let host = parts.host, !host.isEmpty else { return "Enter a valid URI: \(uri.prefix(100))" }
        case "http":
            guard let host = parts.host, ProviderConfiguration.isLoopback(host) else {
                return "http:// is allowed on a loopback host only (localhost, 127.0.0.1, [::1]): \(uri.prefix(100))"
            }
        default:
            guard isPublic, scheme.contains("."), !parts.path.isEmpty || parts.host != nil else {
                return isPublic
                    ? "Use https://, http:// on a loopback host, or a private-use scheme with a dot (com.example.app:/cb): \(uri.prefix(100))"
                    : "Use https://, or http:// on a loopback host: \(uri.prefix(100))"
            }
        }
        return nil
    }
}
