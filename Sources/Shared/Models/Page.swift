/// Which page of a list to read: DRF's page-number pagination (`?page=N&page_size=M`).
public struct PageRequest: Sendable, Equatable {
    public static let defaultSize = 50
    public static let maxSize = 200

    /// 1-based.
    public var number: Int
    public var size: Int
    /// `?page=last` (DRF's `last_page_strings`): the number is the last page's, once counted.
    public var isLast: Bool

    public init(number: Int = 1, size: Int = defaultSize) {
        // Bounded so that the offset cannot overflow; a page that far is past the last anyway.
        self.number = min(max(1, number), 1 << 40)
        self.size = min(max(1, size), Self.maxSize)
        isLast = false
    }

    /// The last page, whatever its number turns out to be.
    public static func last(size: Int = defaultSize) -> PageRequest {
        var request = PageRequest(number: 1, size: size)
        request.isLast = true
        return request
    }

    /// The request with `last` resolved against the list's count.
    func resolved(count: Int) -> PageRequest {
        guard isLast else { return self }
        return PageRequest(number: max(1, (count + size - 1) / size), size: size)
    }

    var offset: Int { (number - 1) * size }
}

/// One page of a list and the count of everything the list matches, as DRF answers it.
public struct Page<Item: Sendable>: Sendable {
    public var count: Int
    public var items: [Item]
    public var request: PageRequest

    public init(count: Int, items: [Item], request: PageRequest) {
        self.count = count
        self.items = items
        self.request = request
    }

    public var hasNext: Bool { request.number * request.size < count }
    public var hasPrevious: Bool { request.number > 1 }
    /// The last page's number (1 for an empty list, which DRF still serves as page 1).
    public var lastNumber: Int { max(1, (count + request.size - 1) / request.size) }
}
