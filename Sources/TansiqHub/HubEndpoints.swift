/// The endpoints a running hub has actually bound (ports resolved when `*` was asked for).
public struct HubEndpoints: Sendable, Equatable {
    /// Where publishers connect.
    public var ingress: String
    /// Where subscribers connect.
    public var egress: String
    /// Where replay clients connect; `nil` when the hub runs without a journal.
    public var replay: String?
    /// Where confirmed publishers connect; `nil` when the hub binds no publish endpoint.
    public var publish: String?

    /// Creates a value.
    public init(ingress: String, egress: String, replay: String? = nil, publish: String? = nil) {
        self.ingress = ingress
        self.egress = egress
        self.replay = replay
        self.publish = publish
    }
}
