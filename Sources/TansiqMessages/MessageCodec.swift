/// Turns messages into ZeroMQ frames and back.
///
/// A publisher sends three frames, `topic`, `header`, `body`; the hub forwards them
/// unchanged and appends a fourth, the ``HubStamp``. Decoding never traps: every failure is
/// a ``ProtocolError`` naming the rule and the key path.
public enum MessageCodec {
    /// The largest header frame accepted, in bytes.
    public static let maximumHeaderSize = 4096
    /// The largest body frame accepted, in bytes.
    public static let maximumBodySize = 65_536
    /// The largest stamp frame accepted, in bytes.
    public static let maximumStampSize = 512

    /// Validates the message, values included (`rules`), then encodes it as `[topic, header, body]`:
    /// an agent refuses personal data before it reaches the bus.
    public static func encode(_ envelope: Envelope, rules: PrivacyRules = .standard) throws(ProtocolError) -> [[UInt8]] {
        try envelope.validate()
        try rules.check(envelope.payload)
        let header = try envelope.header.wireValue().serialized
        let body = try envelope.payload.object.wireValue(at: "body").serialized
        guard header.count <= maximumHeaderSize else {
            throw ProtocolError(.tooLarge, "the header is \(header.count) bytes, at most \(maximumHeaderSize)", keyPath: "header")
        }
        guard body.count <= maximumBodySize else {
            throw ProtocolError(.tooLarge, "the body is \(body.count) bytes, at most \(maximumBodySize)", keyPath: "body")
        }
        return [envelope.topic.bytes, header, body]
    }

    /// Decodes and checks a header frame alone: the hub's hot path. The kind may be unknown
    /// (``MessageKind/isKnown``); the major version must be supported.
    public static func decodeHeader(_ bytes: [UInt8]) throws(ProtocolError) -> Header {
        guard bytes.count <= maximumHeaderSize else {
            throw ProtocolError(.tooLarge, "the header is \(bytes.count) bytes, at most \(maximumHeaderSize)", keyPath: "header")
        }
        if let header = bytes.withUnsafeBufferPointer(Header.quickScan) { return header }
        return try Header.scan(bytes)
    }

    /// Decodes a header frame read in place (a frame still in the transport's buffer), with the
    /// same checks and errors as ``decodeHeader(_:)``; the common header is read without a copy.
    public static func decodeHeader(bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> Header {
        if bytes.count <= maximumHeaderSize, let header = Header.quickScan(bytes.assumingMemoryBound(to: UInt8.self)) {
            return header
        }
        return try decodeHeader(Array(bytes))
    }

    /// Decodes a publisher's 3 frames or a forwarded message's 4, checking the topic, the
    /// version, the kind against the topic, the body, and the agreement of all three.
    public static func decode(_ frames: [[UInt8]], rules: PrivacyRules = .standard) throws(ProtocolError) -> (envelope: Envelope, stamp: HubStamp?) {
        guard frames.count == 3 || frames.count == 4 else {
            throw ProtocolError(
                .malformedFrames,
                "expected 3 frames (topic, header, body) or 4 (with the hub's stamp), got \(frames.count)"
            )
        }
        let envelope = try decode(topic: try Topic(bytes: frames[0]), header: try decodeHeader(frames[1]), body: frames[2], rules: rules)
        let stamp = frames.count == 4 ? try decodeStamp(frames[3]) : nil
        return (envelope, stamp)
    }

    /// Decodes a body against a topic and header already decoded (the hub's path: it checks
    /// the header first and reads each topic once), with the same checks as ``decode(_:rules:)``.
    public static func decode(topic: Topic, header: Header, body: [UInt8], rules: PrivacyRules = .standard) throws(ProtocolError) -> Envelope {
        try body.withUnsafeBytes { bytes in
            Result { () throws(ProtocolError) in try decode(topic: topic, header: header, body: bytes, rules: rules) }
        }.get()
    }

    /// ``decode(topic:header:body:rules:)`` of a body read in place (a frame still in the
    /// transport's buffer): referral and status bodies in one pass (``Payload/quickScan(kind:body:)``),
    /// copied only when the full parser must decide.
    public static func decode(topic: Topic, header: Header, body: UnsafeRawBufferPointer, rules: PrivacyRules = .standard) throws(ProtocolError) -> Envelope {
        guard header.type.isKnown else {
            throw ProtocolError(.unknownKind, "unknown message kind", keyPath: "header.type")
        }
        guard topic.allows(header.type) else {
            throw ProtocolError(
                .kindTopicMismatch,
                "a '\(header.type)' message may not be published on '\(topic)'; \(topic.family.template) carries '\(topic.family.kind)'",
                keyPath: "topic"
            )
        }
        guard body.count <= maximumBodySize else {
            throw ProtocolError(.tooLarge, "the body is \(body.count) bytes, at most \(maximumBodySize)", keyPath: "body")
        }
        let payload: Payload
        if let quick = Payload.quickScan(kind: header.type, body: body.assumingMemoryBound(to: UInt8.self)) {
            payload = quick
        } else {
            let value = try JSONParser.parse(Array(body), root: "body", refusingUnknownKeys: header.specversion.isFullyKnown)
            payload = try Payload(kind: header.type, fields: JSONFields(value, path: "body"))
        }
        let envelope = Envelope(topic: topic, header: header, payload: payload)
        try envelope.validateConsistency()
        try rules.check(envelope.payload)
        return envelope
    }

    /// Encodes the hub's stamp frame: `{"hub":"…","seq":…,"topicSeq":…}`.
    public static func encodeStamp(_ stamp: HubStamp) -> [UInt8] {
        // The hub stamps every message: write the common case (an identifier needing no
        // escaping) directly, in the same bytes the general serializer produces.
        guard stamp.hub.utf8.allSatisfy({ $0 == 0x2D || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }) else {
            return stamp.wireValue.serialized
        }
        // Bytes appended directly: interpolating a String and copying its UTF-8 cost more than the rest.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(stamp.hub.utf8.count + 64)
        bytes.append(contentsOf: #"{"hub":""#.utf8)
        bytes.append(contentsOf: stamp.hub.utf8)
        bytes.append(contentsOf: #"","seq":"#.utf8)
        appendDecimal(stamp.seq, to: &bytes)
        bytes.append(contentsOf: #","topicSeq":"#.utf8)
        appendDecimal(stamp.topicSeq, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// `value` in decimal ASCII, as `String(value)` writes it.
    private static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for UInt64.max's 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// Decodes and checks a stamp frame.
    public static func decodeStamp(_ bytes: [UInt8]) throws(ProtocolError) -> HubStamp {
        guard bytes.count <= maximumStampSize else {
            throw ProtocolError(.tooLarge, "the stamp is \(bytes.count) bytes, at most \(maximumStampSize)", keyPath: "stamp")
        }
        return try HubStamp(fields: JSONFields(JSONParser.parse(bytes, root: "stamp"), path: "stamp"))
    }
}
