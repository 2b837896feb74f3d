extension String {
    /// The text without leading and trailing Unicode `White_Space` characters, as DRF's
    /// `trim_whitespace` and Django's `normalize_email` strip them — and nothing else.
    /// Foundation's `whitespacesAndNewlines` is not used on purpose: on Linux it also holds
    /// invisible format characters such as U+200B, which must be refused in an address, not
    /// silently removed (an address that looks like another must not reach the same account).
    public func trimmingWhiteSpace() -> String {
        // The usual case first: printable ASCII at both ends has nothing to trim (every
        // `White_Space` character is either ASCII below 0x21 or non-ASCII).
        let utf8 = self.utf8
        if let first = utf8.first, let last = utf8.last, (0x21..<0x80).contains(first), (0x21..<0x80).contains(last) {
            return self
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
