extension Topic {
    /// Parses a topic, refusing bad characters, empty segments, excess length, unknown
    /// families, wrong segment counts and segments that are not identifiers.
    public init(_ string: String) throws(ProtocolError) {
        try self.init(utf8: Array(string.utf8))
    }

    /// Parses a topic frame.
    public init(bytes: [UInt8]) throws(ProtocolError) {
        try self.init(utf8: bytes)
    }

    private init(utf8 bytes: [UInt8]) throws(ProtocolError) {
        func malformed(_ message: String) -> ProtocolError {
            ProtocolError(.malformedTopic, message, keyPath: "topic")
        }
        guard !bytes.isEmpty else { throw malformed("the topic is empty") }
        guard bytes.count <= Topic.maximumLength else {
            throw malformed("the topic is too long: \(bytes.count) bytes, at most \(Topic.maximumLength)")
        }
        for (offset, byte) in bytes.enumerated() {
            guard Identifier.isLowerAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") else {
                let shown = (0x20..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
                throw malformed("bad character \(shown) at byte \(offset); topics use a-z, 0-9, '-' and '/'")
            }
        }
        let rawValue = String(decoding: bytes, as: UTF8.self)
        // Split on bytes: splitting the String would walk grapheme clusters.
        let segments = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if let empty = segments.firstIndex(of: "") {
            let what = empty == segments.count - 1 ? "a trailing slash" : "an empty segment at position \(empty + 1)"
            throw malformed("the topic has \(what)")
        }
        guard let family = Self.family(of: segments) else {
            let shown = segments.prefix(segments.first == "hub" ? 3 : 2).joined(separator: "/")
            throw malformed("unknown topic family '\(shown)'")
        }
        let fixedCount = family.fixedCount
        let partCount = family.partCount
        guard segments.count == fixedCount + partCount else {
            throw malformed("wrong segment count: the topic has \(segments.count) segments, \(family.template) has \(fixedCount + partCount)")
        }
        let parts = Array(segments[fixedCount...])
        for (index, part) in parts.enumerated() where !Identifier.isValid(part) {
            throw malformed("the \(family.partNames[index]) (segment \(fixedCount + index + 1)) is not an identifier ([a-z0-9][a-z0-9-]*, 1 to 63 characters)")
        }
        self.init(family: family, parts: parts, rawValue: rawValue)
    }

    private static func family(of segments: [String]) -> Family? {
        func at(_ index: Int) -> String? { index < segments.count ? segments[index] : nil }
        switch segments[0] {
        case "referral":
            switch at(1) {
            case "to": return .referralAddressed
            case "open": return .referralOpen
            default: return nil
            }
        case "status": return .status
        case "escalation": return .escalation
        case "escalation-ack": return .escalationAck
        case "service": return .service
        case "presence": return .presence
        case "hub":
            switch at(1) {
            case "stats": return .hubStatistics
            case "rejected": return .hubRejection
            case "presence": return .hubPresence
            case "escalation": return .hubEscalation
            case "view": return .hubView
            case "shared": return .hubShared
            case "replay":
                switch at(2) {
                case "request": return .replayRequest
                case "end": return .replayEnd
                default: return nil
                }
            default: return nil
            }
        default: return nil
        }
    }
}
