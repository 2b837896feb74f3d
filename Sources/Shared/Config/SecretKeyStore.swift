import Foundation

/// Provides the secret key: the configured one, or one generated once and kept in a file
/// beside the database (mode 0600) so tokens stay valid across restarts.
public enum SecretKeyStore {
    public static let fileName = "secret.key"

    public static func resolve(configured: String?, directory: String, random: any RandomSource) throws -> String {
        if let configured { return configured }
        let path = (directory as NSString).appendingPathComponent(fileName)
        if let data = FileManager.default.contents(atPath: path),
           let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           text.utf8.count >= 32 {
            return text
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)")
        var key = ""
        for _ in 0..<50 { key.append(alphabet[random.uniform(below: alphabet.count)]) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Write to a temporary file created 0600, then rename: never a moment with a readable key,
        // and two processes starting together end with one key (the second rename wins, the first
        // process re-reads below).
        let tmp = path + ".\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw StorageError.notWritable(directory) }
        let bytes = Array((key + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count else { throw StorageError.notWritable(directory) }
        if link(tmp, path) != 0 {
            // Another process created it first: use theirs.
            unlink(tmp)
            if let data = FileManager.default.contents(atPath: path),
               let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines) {
                return text
            }
            throw StorageError.notWritable(directory)
        }
        unlink(tmp)
        return key
    }
}
