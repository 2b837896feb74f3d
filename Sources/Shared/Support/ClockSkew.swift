import Foundation

/// How far apart the clocks of replicas and workers may be, for everything that compares a
/// time one process wrote with another's clock. Replicas kept by NTP agree within
/// milliseconds; this covers a host whose time daemon stalled, with room. Within it:
/// - an access or refresh token issued by a replica whose clock is ahead verifies elsewhere
///   (`iat` may lie this far in the future; `exp` keeps its one-second leeway, so a token lives
///   at most this much longer or shorter than its lifetime);
/// - a mail job's lease is given up this long before it expires (`SendPermit`), so a worker
///   whose clock is ahead and claims the job as soon as the lease looks expired never sends it
///   alongside the worker that held it;
/// - send cooldowns and rate-limit windows stretch or shrink by at most this much.
public enum ClockSkew {
    public static let tolerated: TimeInterval = 5
}
