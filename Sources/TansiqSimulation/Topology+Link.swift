import TansiqMessages
extension Topology {
    /// A referral route (`topology.links[i]`): `from` sends its cases needing one of
    /// `services` to `to`.
    ///
    /// When several links leave the same node for the same category, a referral takes one of
    /// them drawn in proportion to ``weight``. A need with no link goes out as an open referral.
    public struct Link: Sendable, Equatable {
        /// The referring node.
        public var from: String
        /// The receiving node.
        public var to: String
        /// The categories routed; in a file, default: everything `to` offers.
        public var services: [ServiceCategory]
        /// Relative share among links from the same node for the same category (default 1).
        public var weight: Double
    }
}
