/// One entry of an access policy: a topic prefix, in the shape of a ZeroMQ subscription.
///
/// - `""` matches every topic.
/// - A pattern ending in `/` (`referral/to/iom-agadir/`) matches the topics that start with it,
///   whole segments only.
/// - Any other pattern (`hub/rejected/iom-agadir`) matches that one topic.
/// - A segment `*` matches any one segment (`status/*/iom-agadir/`).
///
/// `%a` stands for the agency the rule is applied to and is substituted before compiling.
struct TopicPattern: Hashable, Sendable, CustomStringConvertible {
    private enum Segment: Hashable, Sendable {
        case literal(Substring)
        case any

        func matches(_ segment: Substring) -> Bool {
            switch self {
            case .any: true
            case .literal(let literal): literal == segment
            }
        }

        /// Whether some segment starting with `partial` matches.
        func admits(partial: Substring) -> Bool {
            switch self {
            case .any: true
            case .literal(let literal): literal.hasPrefix(partial)
            }
        }
    }

    let text: String
    private let segments: [Segment]
    /// Whether the pattern matches longer topics (it ends in `/`, or is empty).
    private let isPrefix: Bool

    var description: String { text }

    /// Compiles a pattern whose `%a` is already substituted; `nil` when a segment is empty.
    init?(_ text: String) {
        self.text = text
        if text.isEmpty {
            segments = []
            isPrefix = true
            return
        }
        isPrefix = text.hasSuffix("/")
        let body = isPrefix ? text.dropLast() : Substring(text)
        var segments: [Segment] = []
        for part in body.split(separator: "/", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { return nil }
            segments.append(part == "*" ? .any : .literal(part))
        }
        self.segments = segments
    }

    /// Whether a message on `topic` falls under the pattern.
    func matches(topic: String) -> Bool {
        matches(segments: topic.split(separator: "/", omittingEmptySubsequences: false))
    }

    /// Whether a topic split into its segments falls under the pattern.
    func matches(segments parts: [Substring]) -> Bool {
        if isPrefix {
            guard parts.count > segments.count else { return segments.isEmpty }
        } else {
            guard parts.count == segments.count else { return false }
        }
        return zip(segments, parts).allSatisfy { $0.matches($1) }
    }

    /// A subscription prefix split into its complete segments and the partial last one.
    private struct Subscription {
        var complete: [Substring]
        var partial: Substring?

        init(_ prefix: String) {
            var parts = prefix.split(separator: "/", omittingEmptySubsequences: false)
            if prefix.hasSuffix("/") || prefix.isEmpty {
                parts.removeLast()
                partial = nil
            } else {
                partial = parts.removeLast()
            }
            complete = parts
        }
    }

    /// Whether every topic a subscription to `prefix` delivers falls under the pattern.
    ///
    /// An exact pattern covers the subscription to that very topic, although ZeroMQ also
    /// delivers topics that extend its last segment (see docs/security.md).
    func covers(subscription prefix: String) -> Bool {
        if segments.isEmpty { return isPrefix }
        let subscription = Subscription(prefix)
        if isPrefix {
            guard subscription.complete.count >= segments.count else { return false }
            return zip(segments, subscription.complete).allSatisfy { $0.matches($1) }
        }
        guard let partial = subscription.partial, subscription.complete.count + 1 == segments.count else { return false }
        return zip(segments, subscription.complete + [partial]).allSatisfy { $0.matches($1) }
    }

    /// Whether a subscription to `prefix` could deliver some topic that falls under the pattern.
    func intersects(subscription prefix: String) -> Bool {
        if segments.isEmpty { return true }
        let subscription = Subscription(prefix)
        let shared = min(subscription.complete.count, segments.count)
        guard zip(segments.prefix(shared), subscription.complete.prefix(shared)).allSatisfy({ $0.matches($1) }) else {
            return false
        }
        if subscription.complete.count >= segments.count {
            // Every delivered topic has more segments than the pattern.
            return isPrefix
        }
        if let partial = subscription.partial {
            return segments[subscription.complete.count].admits(partial: partial)
        }
        return true
    }
}
