import Metrics

/// The one home of every metric the processes emit (swift-metrics; Prometheus when the process
/// serves `/metrics`, else swift-metrics' no-op backend). Label values come from closed sets —
/// outcomes, scopes, purposes, route templates, job kinds — never from what a client sends.
public enum ServiceMetrics {
    // MARK: API

    /// `auth_http_requests_total` and `auth_http_request_duration_seconds`, by route template,
    /// method and status: made per label set by `AuthAPI`'s request metrics.
    public static let httpRequests = "auth_http_requests_total"
    public static let httpRequestDuration = "auth_http_request_duration_seconds"
    /// The Argon2 hashing pool: how long a hash waited for a thread.
    public static let argon2QueueWait = "auth_argon2_queue_wait_seconds"

    /// How a login attempt ended (the password step, or the second step).
    public enum LoginOutcome: String, Sendable {
        case success
        case invalidCredentials = "invalid_credentials"
        case emailNotVerified = "email_not_verified"
        case mfaRequired = "mfa_required"
        case mfaSuccess = "mfa_success"
        case mfaInvalid = "mfa_invalid"
    }

    public static func login(_ outcome: LoginOutcome) {
        Metrics.Counter(label: "auth_logins_total", dimensions: [("outcome", outcome.rawValue)]).increment()
    }

    public static func throttled(_ scope: ThrottleScope) {
        Metrics.Counter(label: "auth_throttled_total", dimensions: [("scope", scope.rawValue)]).increment()
    }

    public static func refreshReuseDetected() {
        Metrics.Counter(label: "auth_refresh_reuse_detected_total").increment()
    }

    /// A one-time code checked: `redeemed`, `invalid`, `expired` or `locked`.
    public static func code(_ purpose: CodePurpose, outcome: String) {
        Metrics.Counter(label: "auth_codes_total", dimensions: [("purpose", purpose.rawValue), ("outcome", outcome)]).increment()
    }

    static func argon2Waited(nanoseconds: Int64) {
        Metrics.Timer(label: argon2QueueWait).recordNanoseconds(nanoseconds)
    }

    // MARK: Worker

    public static let sendDuration = "mail_send_duration_seconds"

    /// A send's outcome: `sent`, `retry`, `dead` (parked for good) or `skipped` (no longer applies).
    static func send(_ kind: MailJob.Kind, outcome: String) {
        Metrics.Counter(label: "mail_sends_total", dimensions: [("kind", kind.rawValue), ("outcome", outcome)]).increment()
        switch outcome {
        case "retry": Metrics.Counter(label: "mail_retries_total").increment()
        case "dead": Metrics.Counter(label: "mail_dead_jobs_total").increment()
        default: break
        }
    }

    static func sent(nanoseconds: Int64) {
        Metrics.Timer(label: sendDuration).recordNanoseconds(nanoseconds)
    }

    /// The queue as one worker saw it at a scrape: jobs by state and the oldest queued job's age.
    public static func queue(_ status: QueueStatus) {
        for (state, count) in [("queued", status.queued), ("running", status.running), ("done", status.done), ("dead", status.dead)] {
            Metrics.Gauge(label: "mail_jobs", dimensions: [("state", state)]).record(count)
        }
        Metrics.Gauge(label: "mail_oldest_queued_age_seconds").record(status.oldestQueuedAgeSeconds ?? 0)
    }
}
