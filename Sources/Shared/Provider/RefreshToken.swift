import Crypto
import Foundation

/// A provider refresh token, opaque to clients: `{token session id}.{secret}`. The session
/// keeps only the SHA-256 of the current secret, so a presented token finds its session at once
/// and a rotated-out one is recognised as reuse (same session, another secret).
struct RefreshToken: Sendable {
    let sessionId: String
    let token: String
    let hash: Data

    init(sessionId: String, random: any RandomSource) {
        self.sessionId = sessionId
        let secret = random.token(byteCount: 32)
        token = sessionId + "." + secret
        hash = Data(SHA256.hash(data: Data(secret.utf8)))
    }

    init?(parsing text: String) {
        guard text.utf8.count <= 256, let dot = text.firstIndex(of: ".") else { return nil }
        let id = text[..<dot], secret = text[text.index(after: dot)...]
        guard !id.isEmpty, !secret.isEmpty else { return nil }
        sessionId = String(id)
        token = text
        hash = Data(SHA256.hash(data: Data(secret.utf8)))
    }
}
