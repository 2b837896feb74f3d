import Hummingbird
import Shared

/// The context of a request whose caller is an active staff user: admin handlers take this, so
/// they cannot be written — or run — for anyone else. Made by the admin group from an
/// authenticated context: 403 `permission_denied` for a caller who is not active staff.
struct StaffRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let staff: StaffCaller
    let base: APIRequestContext

    init(context: AuthenticatedRequestContext) throws {
        coreContext = context.coreContext
        staff = try StaffCaller(context.caller)
        base = context.base
    }

    var maxUploadSize: Int { APIRequestContext.maxBodySize }
}
