import Hummingbird

extension Parameters {
    /// The route's `{id}` as a row's primary key. A segment that is not a positive integer
    /// names no row: 404, as DRF's `get_object_or_404` answers a lookup it cannot even convert.
    func rowID() throws -> Int64 {
        guard let id = get("id", as: Int64.self), id > 0 else { throw APIError.notFound }
        return id
    }
}
