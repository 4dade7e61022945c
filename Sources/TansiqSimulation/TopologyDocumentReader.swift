import TansiqAgent
import Yams

/// Reads typed values out of a composed YAML document, recording every mistake with its key
/// path instead of stopping at the first, so a planner sees all of them at once.
struct TopologyDocumentReader {
    /// A YAML mapping whose keys were checked against the keys it may have.
    struct Mapping {
        /// The mapping's own key path.
        let path: String
        /// The allowed entries in file order (unknown and repeated keys are left out).
        let entries: [(key: String, value: Yams.Node)]

        /// The value of `key`, or `nil` when it is absent or explicitly null.
        subscript(key: String) -> Yams.Node? {
            guard let value = entries.first(where: { $0.key == key })?.value else { return nil }
            return value.isNull ? nil : value
        }

        /// The key path of `key` inside this mapping.
        func path(_ key: String) -> String { TopologyDocumentReader.join(path, key) }
    }

    let file: String
    private(set) var errors: [TopologyError] = []

    init(file: String) {
        self.file = file
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    static func join(_ path: String, index: Int) -> String { "\(path)[\(index)]" }

    mutating func report(_ code: TopologyError.Code, _ message: String, at path: String, node: Yams.Node? = nil) {
        errors.append(TopologyError(
            code: code, message: message, file: file, keyPath: path,
            line: node?.mark?.line, column: node?.mark?.column))
    }

    // MARK: Containers

    /// The entries of a mapping whose keys are data (node ids, categories…), in file order,
    /// with repeated keys reported.
    mutating func entries(_ node: Yams.Node, at path: String, expected: String) -> [(key: String, keyNode: Yams.Node, value: Yams.Node)]? {
        guard case .mapping(let mapping) = node else {
            report(.wrongType, "expected \(expected), found \(Self.describe(node))", at: path, node: node)
            return nil
        }
        var seen = Set<String>()
        var result: [(key: String, keyNode: Yams.Node, value: Yams.Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !keyNode.isNull else {
                report(.wrongType, "expected a plain key, found \(Self.describe(keyNode))", at: path, node: keyNode)
                continue
            }
            let key = scalar.string
            guard seen.insert(key).inserted else {
                report(.duplicateKey, "key \"\(key)\" appears more than once; keep one", at: Self.join(path, key), node: keyNode)
                continue
            }
            result.append((key, keyNode, value))
        }
        return result
    }

    /// A mapping with a fixed set of keys: unknown keys (with a suggestion) and missing
    /// required keys are reported.
    mutating func mapping(
        _ node: Yams.Node, at path: String, allowed: [String], required: [String] = [], expected: String = "a mapping (key: value)"
    ) -> Mapping? {
        guard let entries = entries(node, at: path, expected: expected) else { return nil }
        var kept: [(key: String, value: Yams.Node)] = []
        for (key, keyNode, value) in entries {
            if allowed.contains(key) {
                kept.append((key, value))
            } else if key == "<<" {
                report(.unknownKey, "YAML merge keys (<<) are not supported; put shared settings in topology.kinds", at: Self.join(path, key), node: keyNode)
            } else {
                let hint = Self.suggestion(for: key, among: allowed).map { "did you mean \"\($0)\"? " } ?? ""
                report(.unknownKey, "unknown key \"\(key)\"; \(hint)expected one of: \(allowed.joined(separator: ", "))", at: Self.join(path, key), node: keyNode)
            }
        }
        let result = Mapping(path: path, entries: kept)
        for key in required where result[key] == nil {
            let present = kept.contains { $0.key == key }
            report(.missingKey, present ? "required key \"\(key)\" has no value" : "missing required key \"\(key)\"", at: Self.join(path, key), node: node)
        }
        return result
    }

    mutating func sequence(_ node: Yams.Node, at path: String, expected: String) -> [Yams.Node]? {
        guard case .sequence(let sequence) = node else {
            report(.wrongType, "expected \(expected), found \(Self.describe(node))", at: path, node: node)
            return nil
        }
        return Array(sequence)
    }

    // MARK: Scalars

    mutating func string(_ node: Yams.Node, at path: String, expected: String = "text") -> String? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            report(.wrongType, "expected \(expected), found \(Self.describe(node))", at: path, node: node)
            return nil
        }
        return scalar.string
    }

    mutating func identifier(_ node: Yams.Node, at path: String, what: String) -> String? {
        guard let text = string(node, at: path, expected: "\(what) (an identifier)") else { return nil }
        return checkIdentifier(text, at: path, node: node, what: what) ? text : nil
    }

    @discardableResult
    mutating func checkIdentifier(_ text: String, at path: String, node: Yams.Node?, what: String) -> Bool {
        guard TopologyIdentifier.isValid(text) else {
            report(.invalidIdentifier, "\"\(text)\" is not a valid \(what); \(TopologyIdentifier.rule)", at: path, node: node)
            return false
        }
        return true
    }

    mutating func bool(_ node: Yams.Node, at path: String) -> Bool? {
        guard node.tagName == .bool, let value = node.bool else {
            report(.wrongType, "expected true or false, found \(Self.describe(node))", at: path, node: node)
            return nil
        }
        return value
    }

    mutating func integer(_ node: Yams.Node, at path: String, in range: ClosedRange<Int>, what: String) -> Int? {
        guard node.tagName == .int, let value = node.int else {
            report(.wrongType, "expected \(what) (a whole number), found \(Self.describe(node))", at: path, node: node)
            return nil
        }
        guard range.contains(value) else {
            report(.outOfRange, "\(what) is \(value); expected \(Self.describe(range))", at: path, node: node)
            return nil
        }
        return value
    }

    mutating func number(_ node: Yams.Node, at path: String, what: String) -> Double? {
        guard node.tagName == .int || node.tagName == .float, let value = node.float, value.isFinite else {
            report(.wrongType, "expected \(what) (a number), found \(Self.describe(node))", at: path, node: node)
            return nil
        }
        return value
    }

    mutating func weight(_ node: Yams.Node, at path: String) -> Double? {
        guard let value = number(node, at: path, what: "a weight") else { return nil }
        guard value >= 0 else {
            report(.outOfRange, "weight is \(Self.format(value)); expected a number ≥ 0", at: path, node: node)
            return nil
        }
        return value
    }

    mutating func probability(_ node: Yams.Node, at path: String) -> Double? {
        guard let value = number(node, at: path, what: "a probability") else { return nil }
        guard (0...1).contains(value) else {
            report(.invalidProbability, "probability is \(Self.format(value)); expected a number between 0 and 1", at: path, node: node)
            return nil
        }
        return value
    }

    mutating func duration(_ node: Yams.Node, at path: String) -> SimulatedDuration? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            report(.wrongType, "expected a duration such as 4h or 30d, found \(Self.describe(node))", at: path, node: node)
            return nil
        }
        if node.tagName == .int || node.tagName == .float, scalar.string.trimmingWhitespace() != "0" {
            report(.invalidDuration, "\"\(scalar.string)\" has no unit; write e.g. \(scalar.string)s, \(scalar.string)h or \(scalar.string)d", at: path, node: node)
            return nil
        }
        do {
            return try SimulatedDuration(parsing: scalar.string)
        } catch let error as SimulatedDuration.FormatError {
            report(.invalidDuration, "\"\(scalar.string)\" is not a duration; \(error.message)", at: path, node: node)
        } catch {
            report(.invalidDuration, "\"\(scalar.string)\" is not a duration", at: path, node: node)
        }
        return nil
    }

    /// A value from a closed set of codes (roles, categories, priorities…), with a suggestion.
    mutating func code<Value: RawRepresentable & CaseIterable>(
        _ text: String, as: Value.Type, at path: String, node: Yams.Node?, error: TopologyError.Code, what: String
    ) -> Value? where Value.RawValue == String {
        let candidates = Value.allCases.map(\.rawValue)
        // An open vocabulary (a struct) wraps any text: only the listed codes count.
        if candidates.contains(text), let value = Value(rawValue: text) { return value }
        let hint = Self.suggestion(for: text, among: candidates).map { "did you mean \"\($0)\"? " } ?? ""
        report(error, "unknown \(what) \"\(text)\"; \(hint)expected one of: \(candidates.joined(separator: ", "))", at: path, node: node)
        return nil
    }

    // MARK: Wording

    static func describe(_ node: Yams.Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch node.tagName {
            case .null: return "no value"
            case .bool: return "the boolean \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            default: return "the text \"\(scalar.string)\""
            }
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "a whole number ≥ \(range.lowerBound)" }
        return "a whole number from \(range.lowerBound) to \(range.upperBound)"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }

    /// The closest candidate when it is close enough to be a likely typo.
    static func suggestion(for text: String, among candidates: [String]) -> String? {
        let lowered = text.lowercased()
        let scored = candidates.map { ($0, editDistance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let tolerance = max(2, best.0.count / 3)
        return best.1 <= tolerance ? best.0 : nil
    }

    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs), b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Yams.Node {
    /// The resolved tag's name (`Tag.name` itself is not public).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.description) }

    var isNull: Bool {
        if case .scalar = self { return tagName == .null }
        return false
    }
}
