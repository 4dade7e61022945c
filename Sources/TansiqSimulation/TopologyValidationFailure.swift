/// Every mistake found in a topology file; thrown by ``Topology/load(contentsOf:)`` and
/// ``Topology/parse(yaml:file:)``, which check the whole file before giving up, like a compiler.
public struct TopologyValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The mistakes, sorted by key path (list indices numerically), never empty.
    public var errors: [TopologyError]

    /// Creates a failure from `errors`, sorting them by key path and dropping exact repeats.
    public init(errors: [TopologyError]) {
        var seen = Set<TopologyError>()
        self.errors = errors.filter { seen.insert($0).inserted }.sorted(by: TopologyKeyPathOrder.precedes)
    }

    /// One line per error: `FILE: KEYPATH: message`.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }

    /// The error codes, in order; handy for checks.
    public var codes: [TopologyError.Code] { errors.map(\.code) }
}

/// Orders errors by file, then key path component by component, with list indices compared as
/// numbers (`links[2]` before `links[10]`), then by line.
enum TopologyKeyPathOrder {
    static func precedes(_ lhs: TopologyError, _ rhs: TopologyError) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        let left = components(lhs.keyPath)
        let right = components(rhs.keyPath)
        for (l, r) in zip(left, right) where l != r {
            switch (l, r) {
            case let (.index(a), .index(b)): return a < b
            case let (.key(a), .key(b)): return a < b
            case (.key, .index): return true
            case (.index, .key): return false
            }
        }
        if left.count != right.count { return left.count < right.count }
        if (lhs.line ?? 0) != (rhs.line ?? 0) { return (lhs.line ?? 0) < (rhs.line ?? 0) }
        return lhs.message < rhs.message
    }

    private enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    private static func components(_ path: String) -> [Component] {
        var result: [Component] = []
        var current = ""
        var inIndex = false
        for character in path {
            switch character {
            case "." where !inIndex:
                if !current.isEmpty { result.append(.key(current)) }
                current = ""
            case "[" where !inIndex:
                if !current.isEmpty { result.append(.key(current)) }
                current = ""
                inIndex = true
            case "]" where inIndex:
                result.append(Int(current).map(Component.index) ?? .key(current))
                current = ""
                inIndex = false
            default:
                current.append(character)
            }
        }
        if !current.isEmpty { result.append(.key(current)) }
        return result
    }
}
