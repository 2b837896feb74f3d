import HTTPTypes
import Hummingbird

/// The router's routes, read back from it once every route is registered (`Router.routes`):
/// which methods a path is served with. Paths match as the router's trie matches them — by
/// non-empty segments, so a trailing slash changes nothing, and a `{parameter}` segment takes
/// any one segment — and the most specific route wins (constant segments over parameters).
struct RouteTable: Sendable {
    struct Route: Sendable {
        let path: RouterPath
        var methods: Set<HTTPRequest.Method>

        /// What `Allow` lists: the methods, HEAD wherever GET is (the router answers it), OPTIONS.
        var allowed: [String] {
            var names = Set(methods.map(\.rawValue))
            if methods.contains(.get) { names.insert("HEAD") }
            names.insert("OPTIONS")
            return names.sorted()
        }

        /// How many segments of `segments` this route takes as parameters, if it matches at all.
        func parameters(matching segments: [Substring]) -> Int? {
            guard path.components.count == segments.count else { return nil }
            var parameters = 0
            for (element, segment) in zip(path.components, segments) {
                guard element ~= segment else { return nil }
                if !(element == segment) { parameters += 1 }
            }
            return parameters
        }
    }

    let routes: [Route]

    init(_ descriptions: [(path: RouterPath, method: HTTPRequest.Method)]) {
        var byPath: [String: Route] = [:]
        for description in descriptions {
            byPath[description.path.description, default: Route(path: description.path, methods: [])].methods.insert(description.method)
        }
        routes = byPath.keys.sorted().compactMap { byPath[$0] }
    }

    init<Context>(_ router: Router<Context>) {
        self.init(router.routes.map { ($0.path, $0.method) })
    }

    /// The route the router would resolve `path` to, ignoring the method.
    func route(for path: String) -> Route? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.compactMap { route in route.parameters(matching: segments).map { (route, $0) } }
            .min { $0.1 < $1.1 }?.0
    }
}
