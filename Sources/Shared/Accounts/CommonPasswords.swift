import Foundation

/// Django's list of common passwords (BSD licence, `django/contrib/auth/common-passwords.txt.gz`,
/// lower-cased and deduplicated), shipped as a resource and loaded once, on first use.
public enum CommonPasswords {
    public static let all: Set<String> = load()

    private static func load() -> Set<String> {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            // The resource is part of the build: its absence is a packaging bug, not a runtime case.
            fatalError("common-passwords.txt resource missing")
        }
        var set = Set<String>(minimumCapacity: 20_000)
        for line in text.split(separator: "\n") {
            let word = line.trimmingCharacters(in: .whitespaces)
            if !word.isEmpty { set.insert(word) }
        }
        return set
    }
}
