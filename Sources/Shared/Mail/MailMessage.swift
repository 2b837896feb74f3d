import Foundation

/// One e-mail ready to send: envelope plus the RFC 5322 bytes (headers and a
/// multipart/alternative body with a plain-text and an HTML part).
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var messageID: String
    public var data: Data

    /// Builds the message. Header values are RFC 2047-encoded where they are not ASCII;
    /// lines end with CRLF; bodies are quoted-printable so long lines and UTF-8 survive any relay.
    public static func build(
        from: String, to: String, toName: String, subject: String, plain: String, html: String,
        date: Date, random: any RandomSource
    ) -> MailMessage {
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        // Letters only: no run of digits anywhere in the message but the code.
        let messageID = "\(letters(24, random))@\(domain)"
        let boundary = "=_alt_\(letters(24, random))"
        let lines: [String] = [
            "Date: \(rfc5322Date(date))",
            "From: \(from.filter { !$0.isNewline })",
            "To: \(toName.isEmpty ? to : "\(displayName(toName)) <\(to)>")",
            "Subject: \(encodeWord(subject))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            quotedPrintable(plain),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            quotedPrintable(html),
            "--\(boundary)--",
            "",
        ]
        return MailMessage(from: from, to: to, messageID: messageID, data: Data(lines.joined(separator: "\r\n").utf8))
    }

    static func letters(_ count: Int, _ random: any RandomSource) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        return String((0..<count).map { _ in alphabet[random.uniform(below: alphabet.count)] })
    }

    /// `Wed, 25 Nov 2026 22:12:53 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d +0000",
                      days[Int(tm.tm_wday)], Int(tm.tm_mday), months[Int(tm.tm_mon)], Int(tm.tm_year) + 1900,
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }

    /// A display name for an address header: plain ASCII words as they are, ASCII with
    /// specials as a quoted-string, anything else RFC 2047-encoded — never a second address.
    static func displayName(_ name: String) -> String {
        let clean = name.filter { !$0.isNewline }
        let ascii = clean.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }
        guard ascii, !clean.contains("=?") else { return encodeWord(clean) }
        let specials = Set("()<>[]:;@\\,.\"")
        if !clean.contains(where: { specials.contains($0) }) { return clean }
        return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// RFC 2047 `=?UTF-8?B?…?=` for non-ASCII (or control-bearing) text, split into words that
    /// keep lines short and never cut a UTF-8 sequence; plain ASCII stays as it is.
    static func encodeWord(_ text: String) -> String {
        let clean = text.filter { !$0.isNewline }
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }) && !clean.contains("=?") {
            return clean
        }
        var words: [String] = []
        var chunk = ""
        for character in clean {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks at 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        var out: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            var encoded = ""
            var current = 0
            let bytes = Array(line.utf8)
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                var piece: String
                if (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast) {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = String(format: "=%02X", byte)
                }
                if current + piece.count > 75 {
                    encoded += "=\r\n"
                    current = 0
                }
                encoded += piece
                current += piece.count
            }
            out.append(encoded)
        }
        return out.joined(separator: "\r\n")
    }
}
