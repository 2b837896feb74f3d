import CCurl
import Foundation
import NIOPosix
import Synchronization

/// Sends mail over SMTP through libcurl. Each send runs on a dedicated thread pool (libcurl
/// blocks), never on the cooperative pool. Easy handles are kept between sends so libcurl can
/// reuse the open connection for consecutive mails; a handle that failed is dropped.
public final class SMTPMailer: Mailer {
    let url: SMTPURL
    let startTLS: WorkerConfiguration.StartTLS
    /// PEM bundle trusted instead of the system's (`CURLOPT_CAINFO`); nil: libcurl's default.
    let caFile: String?
    let connectTimeout: TimeInterval
    let sendTimeout: TimeInterval
    let threadPool: NIOThreadPool
    private let idleHandles = Mutex<[CurlEasy]>([])

    /// `threadPool` must be started; one thread per send in flight.
    public init(url: SMTPURL, startTLS: WorkerConfiguration.StartTLS, caFile: String? = nil, connectTimeout: TimeInterval,
                sendTimeout: TimeInterval, threadPool: NIOThreadPool) {
        _ = Self.globalInit
        self.url = url
        self.startTLS = startTLS
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.sendTimeout = sendTimeout
        self.threadPool = threadPool
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public func send(_ message: MailMessage, permit: SendPermit) async throws(MailError) {
        guard permit.isValid else { throw MailError.leaseLost }
        let failure: MailError?
        do {
            failure = try await threadPool.runIfActive { self.sendBlocking(message, permit: permit) }
        } catch {
            throw MailError(.transient, "worker is shutting down")
        }
        if let failure { throw failure }
    }

    /// One SMTP transaction on the calling thread; nil on success. The body is read by
    /// libcurl after the server's `354`, and its end (which makes curl send the final `.`) is
    /// one more read: both ask `permit` first, so a worker that stalled past its lease while
    /// connecting aborts the transaction and the server discards the unfinished message.
    func sendBlocking(_ message: MailMessage, permit: SendPermit) -> MailError? {
        let easy = idleHandles.withLock { $0.popLast() } ?? CurlEasy()
        guard let handle = easy.handle else { return MailError(.transient, "libcurl could not create a handle") }
        let source = UploadSource(Array(message.data), permit: permit)
        let recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(message.to)>")
        defer { curl_slist_free_all(recipients) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            ccurl_setopt_string(handle, CURLOPT_URL, url.connectionURL)
            if let user = url.username { ccurl_setopt_string(handle, CURLOPT_USERNAME, user) }
            if let password = url.password { ccurl_setopt_string(handle, CURLOPT_PASSWORD, password) }
            ccurl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.from)>")
            ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
            ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            ccurl_setopt_read_function(handle) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return 0 }
                return Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue().read(into: buffer, max: size * count)
            }
            ccurl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque())
            let useSSL: Int
            switch startTLS {
            case .off: useSSL = Int(CURLUSESSL_NONE.rawValue)
            case .optional: useSSL = Int(CURLUSESSL_TRY.rawValue)
            case .required: useSSL = Int(CURLUSESSL_ALL.rawValue)
            }
            ccurl_setopt_long(handle, CURLOPT_USE_SSL, useSSL)
            if let caFile {
                // Only these authorities: also drop the CA directory Debian's libcurl has built in.
                ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile)
                ccurl_setopt_pointer(handle, CURLOPT_CAPATH, nil)
            }
            ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))
            ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(sendTimeout * 1000))
            ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
            let result = curl_easy_perform(handle)
            ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
            ccurl_setopt_pointer(handle, CURLOPT_READDATA, nil)
            ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, nil)
            return result
        }
        withExtendedLifetime(source) {}
        if code == CURLE_OK {
            idleHandles.withLock { $0.append(easy) }
            return nil
        }
        // The handle is dropped: its connection may be in any state.
        if code == CURLE_ABORTED_BY_CALLBACK, source.abandoned { return MailError.leaseLost }
        var reply = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let buffered = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        if reply >= 400 { return MailError.fromSMTPReply(reply, detail: detail) }
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_USE_SSL_FAILED, CURLE_LOGIN_DENIED:
            return MailError(.permanent, "curl \(code.rawValue): \(detail)")
        default:
            return MailError(.transient, "curl \(code.rawValue): \(detail)")
        }
    }
}

/// A libcurl easy handle, owned by one send at a time (taken from and returned to the mailer's
/// idle list under its lock), which is what makes sharing it across threads safe.
final class CurlEasy: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer?

    init() { handle = curl_easy_init() }

    deinit { if let handle { curl_easy_cleanup(handle) } }
}

/// The message bytes handed to libcurl's read callback, while the permit holds.
final class UploadSource {
    let bytes: [UInt8]
    let permit: SendPermit
    var offset = 0
    /// The permit had ended: the read aborted the transfer.
    private(set) var abandoned = false

    init(_ bytes: [UInt8], permit: SendPermit) {
        self.bytes = bytes
        self.permit = permit
    }

    /// libcurl's `CURL_READFUNC_ABORT`.
    static let abort = 0x1000_0000

    func read(into buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
        guard permit.isValid else {
            abandoned = true
            return Self.abort
        }
        let n = min(max, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
