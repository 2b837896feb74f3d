import Foundation
import Hummingbird
import Shared

/// `/api/admin`: users, mail jobs and the audit trail, for active staff users only (the routes
/// take a `StaffRequestContext`). Query parameters are read here, at the edge; wrong ones are
/// 400 field errors, a page past the last is DRF's 404 `Invalid page.`
struct AdminController {
    let administration: Administration

    var routes: RouteCollection<StaffRequestContext> {
        let routes = RouteCollection(context: StaffRequestContext.self)
        routes.get("users", use: users)
        routes.get("users/{id}", use: user)
        routes.patch("users/{id}", use: update)
        routes.delete("users/{id}", use: delete)
        routes.post("users/{id}/logout-all", use: logoutAll)
        routes.post("users/{id}/send-otp", use: sendCode)
        routes.delete("users/{id}/mfa", use: resetMFA)
        routes.get("mail", use: mailJobs)
        routes.post("mail/{id}/requeue", use: requeue)
        routes.get("events", use: events)
        return routes
    }

    @Sendable func users(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let query = request.queryItems()
        var problems = FieldErrors()
        let filter = UserFilter(
            search: Self.text(query, "search", &problems), isVerified: Self.flag(query, "is_verified", &problems),
            isActive: Self.flag(query, "is_active", &problems), isStaff: Self.flag(query, "is_staff", &problems))
        if filter.terms.count > UserFilter.maxTerms {
            problems.add("search", "Ensure this field has no more than \(UserFilter.maxTerms) words.")
        }
        try problems.throwIfAny()
        let page = try await administration.users(context.staff, filter: filter, page: try Self.page(query))
        return try PageResponse(page, request: request, context: context.base) { AdminUserResponse($0) }.response()
    }

    @Sendable func user(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (user, sessions) = try await administration.user(context.staff, id: try context.parameters.rowID())
        return try AdminUserResponse(user, sessions: sessions).response()
    }

    @Sendable func update(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.parameters.rowID()
        let user = try await administration.update(
            context.staff, id: id, try await request.parsed(AdminUserChange.init(json:)), client: request.client(context.base))
        return try AdminUserResponse(user).response()
    }

    @Sendable func delete(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await administration.delete(context.staff, id: try context.parameters.rowID(), client: request.client(context.base))
        return Response.noContent
    }

    @Sendable func logoutAll(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await administration.logoutAll(context.staff, id: try context.parameters.rowID(), client: request.client(context.base))
        return Response.resetContent
    }

    @Sendable func sendCode(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await administration.sendCode(context.staff, id: try context.parameters.rowID(), client: request.client(context.base))
        return try DetailResponse(detail: "A new verification code is on its way.").response(status: .accepted)
    }

    @Sendable func resetMFA(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await administration.resetMFA(context.staff, id: try context.parameters.rowID(), client: request.client(context.base))
        return Response.noContent
    }

    @Sendable func mailJobs(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let query = request.queryItems()
        var state: MailJob.State?
        if let text = query["state"], !text.isEmpty {
            guard let parsed = MailJob.State(rawValue: text) else {
                throw AuthError.field("state", "Select a valid choice. \(text) is not one of the available choices.")
            }
            state = parsed
        }
        let page = try await administration.mailJobs(context.staff, state: state, page: try Self.page(query))
        return try PageResponse(page, request: request, context: context.base, map: MailJobResponse.init).response()
    }

    @Sendable func requeue(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let job = try await administration.requeue(context.staff, jobId: try context.parameters.rowID(), client: request.client(context.base))
        return try MailJobResponse(job).response()
    }

    @Sendable func events(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let query = request.queryItems()
        var userId: Int64?
        if let text = query["user_id"], !text.isEmpty {
            guard let id = Int64(text) else { throw AuthError.field("user_id", "Enter a whole number.") }
            userId = id
        }
        var problems = FieldErrors()
        let type = Self.text(query, "type", &problems).flatMap { $0.isEmpty ? nil : $0 }
        try problems.throwIfAny()
        let page = try await administration.events(context.staff, userId: userId, type: type, page: try Self.page(query))
        return try PageResponse(page, request: request, context: context.base, map: AuditEventResponse.init).response()
    }

    /// `?page=` (a positive integer or `last`, else 404 `Invalid page.`; empty is page 1, as DRF's `or 1`) and `?page_size=` (DRF's
    /// `_positive_int`: anything but a positive integer is the default, more than 200 is 200).
    static func page(_ query: [String: String]) throws -> PageRequest {
        let size = query["page_size"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? PageRequest.defaultSize
        var number = 1
        if let text = query["page"], !text.isEmpty {
            if text == "last" { return .last(size: size) }
            guard let parsed = Int(text), parsed > 0 else { throw AuthError.invalidPage }
            number = parsed
        }
        return PageRequest(number: number, size: size)
    }

    /// A free-text parameter; a NUL is refused as DRF's `CharField` refuses it (neither
    /// database's text can hold one, and FTS5 would read it as the end of the phrase).
    static func text(_ query: [String: String], _ name: String, _ problems: inout FieldErrors) -> String? {
        guard let text = query[name] else { return nil }
        guard !text.utf8.contains(0) else {
            problems.add(name, "Null characters are not allowed.")
            return nil
        }
        return text
    }

    /// A boolean filter (`true`/`false`, `1`/`0`, as DRF's filters take them); empty: no filter.
    static func flag(_ query: [String: String], _ name: String, _ problems: inout FieldErrors) -> Bool? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let flag = FieldReader.boolean(.string(text)) else {
            problems.add(name, "Must be a valid boolean.")
            return nil
        }
        return flag
    }
}
