import Foundation

/// Timestamps as the API shows them.
public enum ISO8601Text {
    /// `2026-11-24T10:00:00Z`: UTC, whole seconds.
    public static func string(_ date: Date) -> String {
        var tm = tm()
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        gmtime_r(&t, &tm)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(tm.tm_year + 1900, 4) + "-" + pad(tm.tm_mon + 1, 2) + "-" + pad(tm.tm_mday, 2) + "T"
            + pad(tm.tm_hour, 2) + ":" + pad(tm.tm_min, 2) + ":" + pad(tm.tm_sec, 2) + "Z"
    }
}
