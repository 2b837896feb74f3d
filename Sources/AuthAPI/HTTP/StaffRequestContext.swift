import Hummingbird
import Shared

/// The context of a request whose caller is an active staff user: admin handlers take this, so
/// they cannot be written — or run — for anyone else. Made only by `APIRouter.onStaff(_:_:_:)`.
struct StaffRequestContext: Sendable {
    let base: APIRequestContext
    let staff: StaffCaller

    /// The route's `{id}` as an integer primary key; anything else names no row (404).
    func id() throws -> Int64 {
        guard let text = base.routeParameter, let id = Int64(text), id > 0 else { throw APIError.notFound }
        return id
    }
}

extension APIRouter {
    typealias StaffHandler = @Sendable (Request, StaffRequestContext) async throws -> Response

    /// Registers a staff-only route: 401 without credentials, 403 `permission_denied` for a
    /// caller who is not active staff, else the handler with the proven staff caller.
    mutating func onStaff(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping StaffHandler) {
        onAuthenticated(path, method) { request, context in
            try await handler(request, StaffRequestContext(base: context.base, staff: try StaffCaller(context.caller)))
        }
    }
}
