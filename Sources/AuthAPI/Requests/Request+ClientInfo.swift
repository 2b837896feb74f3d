import Hummingbird
import Shared

extension Request {
    /// Who is on the other end, as sessions and audit events record it: the client's address
    /// (`ClientAddressMiddleware`) and its User-Agent.
    func client(_ context: APIRequestContext) -> ClientInfo {
        ClientInfo(ip: context.clientIP, userAgent: headers[.userAgent] ?? "")
    }
}
