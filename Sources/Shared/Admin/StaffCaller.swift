/// A caller proven to be an active staff user: the only way into `Administration`, so an admin
/// action cannot be written — or run — for anyone else. Made by checking, never by assertion.
public struct StaffCaller: Sendable {
    public let caller: Authenticated

    /// `permissionDenied` for anyone but an active staff user (DRF's `IsAdminUser`).
    public init(_ caller: Authenticated) throws(AuthError) {
        guard caller.user.isStaff, caller.user.isActive else { throw AuthError.permissionDenied }
        self.caller = caller
    }

    public var id: Int64 { caller.userId }
}
