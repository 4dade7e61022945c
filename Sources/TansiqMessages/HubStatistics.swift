import Foundation

/// The hub's counters, published periodically on `hub/stats/<hub>`.
public struct HubStatistics: Sendable, Equatable {
    /// The hub's id.
    public var hub: String
    /// When the hub started.
    public var startedAt: Date
    /// Seconds since it started.
    public var uptimeSeconds: UInt64
    /// Messages received from publishers.
    public var messagesIn: UInt64
    /// Messages forwarded to subscribers (one per message, not per subscriber).
    public var messagesOut: UInt64
    /// Bytes received.
    public var bytesIn: UInt64
    /// Bytes forwarded.
    public var bytesOut: UInt64
    /// Rejections per ``HubRejection/Reason`` code.
    public var rejections: [String: UInt64]
    /// Active subscription prefixes.
    public var subscriptions: UInt64
    /// Connected peers.
    public var peers: UInt64
    /// Whether connections are encrypted and authenticated (CURVE).
    public var secure: Bool
    /// The journal's state, when the hub journals.
    public var journal: Journal?
    /// Connections to the plain ingress that ended since start, closed by their peer or
    /// dropped by libzmq for an oversized frame (1.2; optional).
    public var ingressDisconnects: UInt64?

    /// Creates statistics.
    public init(
        hub: String,
        startedAt: Date,
        uptimeSeconds: UInt64,
        messagesIn: UInt64,
        messagesOut: UInt64,
        bytesIn: UInt64,
        bytesOut: UInt64,
        rejections: [String: UInt64] = [:],
        subscriptions: UInt64,
        peers: UInt64,
        secure: Bool,
        journal: Journal? = nil,
        ingressDisconnects: UInt64? = nil
    ) {
        self.hub = hub
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.rejections = rejections
        self.subscriptions = subscriptions
        self.peers = peers
        self.secure = secure
        self.journal = journal
        self.ingressDisconnects = ingressDisconnects
    }

    /// The journal's state.
    public struct Journal: Sendable, Equatable {
        /// The storage, e.g. `sqlite`.
        public var backend: String
        /// The last sequence number written.
        public var lastSequence: UInt64
        /// Messages held.
        public var entries: UInt64

        /// Creates a journal state.
        public init(backend: String, lastSequence: UInt64, entries: UInt64) {
            self.backend = backend
            self.lastSequence = lastSequence
            self.entries = entries
        }
    }
}

extension HubStatistics: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        hub = try fields.string("hub")
        startedAt = try fields.time("startedAt")
        uptimeSeconds = try fields.uint64("uptimeSeconds")
        messagesIn = try fields.uint64("messagesIn")
        messagesOut = try fields.uint64("messagesOut")
        bytesIn = try fields.uint64("bytesIn")
        bytesOut = try fields.uint64("bytesOut")
        var rejections: [String: UInt64] = [:]
        if let counts = try fields.optionalObject("rejections") {
            for (reason, count) in counts.members {
                rejections[reason] = try JSONFields.uint64(count, at: counts.path(reason))
            }
        }
        self.rejections = rejections
        subscriptions = try fields.uint64("subscriptions")
        peers = try fields.uint64("peers")
        secure = try fields.bool("secure")
        journal = try fields.optionalObject("journal").map { journal throws(ProtocolError) in
            Journal(
                backend: try journal.string("backend"),
                lastSequence: try journal.uint64("lastSequence"),
                entries: try journal.uint64("entries")
            )
        }
        ingressDisconnects = try fields.optionalUInt64("ingressDisconnects")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(hub, "hub id", at: path + ".hub")
        for reason in rejections.keys.sorted() {
            try Identifier.check(reason, "rejection reason", at: path + ".rejections." + Identifier.printableKey(reason))
        }
        if let journal {
            try Identifier.check(journal.backend, "journal backend", at: path + ".journal.backend")
        }
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("hub", hub)
        try object.set("startedAt", time: startedAt)
        object.set("uptimeSeconds", uptimeSeconds)
        object.set("messagesIn", messagesIn)
        object.set("messagesOut", messagesOut)
        object.set("bytesIn", bytesIn)
        object.set("bytesOut", bytesOut)
        object.set("rejections", JSONValue.object(rejections.mapValues { JSONValue.integer($0) }))
        object.set("subscriptions", subscriptions)
        object.set("peers", peers)
        object.set("secure", secure)
        object.set("ingressDisconnects", ingressDisconnects)
        if let journal {
            object.set(
                "journal",
                JSONValue.object([
                    "backend": .string(journal.backend),
                    "lastSequence": .integer(journal.lastSequence),
                    "entries": .integer(journal.entries),
                ])
            )
        }
        return object.value
    }

    /// Decodes with the wire rules through any `Decoder`.
    public init(from decoder: any Decoder) throws { self = try .decode(from: decoder) }

    /// Encodes exactly as on the wire through any `Encoder`.
    public func encode(to encoder: any Encoder) throws {
        try validate(at: "body")
        try wireValue(at: "body").encode(to: encoder)
    }
}
