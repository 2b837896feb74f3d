import Foundation
import TestSupport

/// The loopback SMTP server of `scripts/smtp_sink.py` (aiosmtpd), started per test.
/// Its behaviour is switched at run time through a mode file (see the script).
final class SMTPSink {
    let directory: URL
    let port: Int
    let process: Process

    /// Starts the sink on `port` (0: a free one).
    /// `tls`: certificate and key (PEM paths) to offer STARTTLS with, and require it.
    init(port requested: Int = 0, auth: String? = nil, tls: (certificate: String, key: String)? = nil) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath, "--dir", directory.path, "--port", String(requested)]
            + (auth.map { ["--auth", $0] } ?? []) + (tls.map { ["--tls", $0.certificate, $0.key] } ?? [])
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let text = try await eventually("the SMTP sink to print its port", timeout: .seconds(10), every: .milliseconds(20), observing: {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if !process.isRunning && !text.contains("listening on ") { throw TestServerError.failed("SMTP sink exited: \(text)") }
            return text
        }, until: { $0.contains("listening on ") })
        let digits = text[text.range(of: "listening on ")!.upperBound...].prefix { $0.isNumber }
        guard let port = Int(digits) else { throw TestServerError.failed("SMTP sink printed no port: \(text)") }
        self.port = port
    }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/smtp_sink.py").path
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    func setMode(_ mode: String) throws {
        try Data(mode.utf8).write(to: directory.appendingPathComponent("mode"))
    }

    func stop() async {
        if process.isRunning {
            process.terminate()
            await process.exited()
        }
    }

    deinit { process.terminateInBackground() }

    /// Every message received so far, oldest first.
    func messages() -> [ReceivedMail] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".eml") }.sorted().compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name))).map { ReceivedMail(raw: String(decoding: $0, as: UTF8.self)) }
        }
    }

    /// Every message refused with 451 at DATA so far, oldest first: what the failed attempts sent.
    func rejectedMessages() -> [ReceivedMail] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".rejected") }.sorted().compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name))).map { ReceivedMail(raw: String(decoding: $0, as: UTF8.self)) }
        }
    }

    func messages(to address: String) -> [ReceivedMail] {
        messages().filter { $0.envelopeTo.lowercased() == address.lowercased() }
    }

    /// Waits until `count` messages have arrived for `address` (or in all, when nil); returns
    /// every one that has (at least `count`).
    @discardableResult
    func waitFor(_ count: Int, to address: String? = nil, timeout: Duration = .seconds(20),
                 fileID: String = #fileID, line: Int = #line) async throws -> [ReceivedMail] {
        try await eventually("\(count) mails to \(address ?? "anyone")", timeout: timeout, every: .milliseconds(20), fileID: fileID, line: line,
                             observing: { address.map { messages(to: $0) } ?? messages() }, until: { $0.count >= count })
    }

    /// The RCPT and DATA commands received so far, oldest first ("RCPT <a@example.com>",
    /// "DATA <a@example.com>"), as `scripts/smtp_sink.py` notes them on arrival.
    func events() -> [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("events"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Waits until the sink has received `event` (a line of `events()`): a client is then in
    /// the middle of that conversation.
    func waitForEvent(_ event: String, timeout: Duration = .seconds(20), fileID: String = #fileID, line: Int = #line) async throws {
        try await eventually("the SMTP command \(event)", timeout: timeout, every: .milliseconds(20), fileID: fileID, line: line,
                             observing: { events() }, until: { $0.contains(event) })
    }

    /// A free loopback port, for a sink that starts after the worker.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A loopback port held for a server that a script starts later: the socket stays bound (not
/// listening, `SO_REUSEADDR`) until `release()`, so no other test's `bind(0)` is handed the
/// port meanwhile, while a server that sets `SO_REUSEADDR` too (Python's `http.server` does)
/// can still bind it.
final class PortReservation: @unchecked Sendable {
    let port: Int
    private var fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { close(fd); throw TestServerError.failed("cannot reserve a loopback port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
    }

    func release() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { release() }
}

/// A received message, with the parts the tests look at.
struct ReceivedMail: CustomStringConvertible {
    let raw: String

    /// Short, for a failed wait's message.
    var description: String { "mail to \(envelopeTo) (\(header("Subject") ?? "no subject"))" }

    var headerBlock: String {
        raw.components(separatedBy: "\r\n\r\n").first ?? ""
    }

    func header(_ name: String) -> String? {
        for line in headerBlock.components(separatedBy: "\r\n") where line.lowercased().hasPrefix(name.lowercased() + ":") {
            return String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    var envelopeTo: String { header("X-Envelope-To") ?? "" }

    /// The decoded text/plain part.
    var plainText: String {
        guard let start = raw.range(of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n") else { return "" }
        let rest = raw[start.upperBound...]
        let body = rest.range(of: "\r\n--").map { rest[..<$0.lowerBound] } ?? rest
        return Self.decodeQuotedPrintable(String(body))
    }

    /// Every maximal run of six or more digits in the plain text.
    var sixDigitRuns: [String] {
        var runs: [String] = []
        var current = ""
        for c in plainText + " " {
            if c.isASCII && c.isNumber {
                current.append(c)
            } else {
                if current.count >= 6 { runs.append(current) }
                current = ""
            }
        }
        return runs
    }

    var code: String? { sixDigitRuns.count == 1 ? sixDigitRuns[0] : nil }

    static func decodeQuotedPrintable(_ text: String) -> String {
        let joined = text.replacingOccurrences(of: "=\r\n", with: "")
        var bytes: [UInt8] = []
        var iterator = Array(joined.utf8).makeIterator()
        while let b = iterator.next() {
            if b == UInt8(ascii: "="), let h = iterator.next(), let l = iterator.next(),
               let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) {
                bytes.append(v)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
