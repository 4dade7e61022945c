import ZeroMQ

extension Hub {
    /// Asks the hub's ZAP handler to answer one probe, as the hub does before it binds. Returns
    /// why it did not answer, or `nil` when it did; always `nil` for an insecure hub (no handler).
    /// Blocks up to 2 s.
    public func probeAuthentication() -> HubError? {
        guard access != nil else { return nil }
        do {
            try ZAPAuthenticator.probe(context: context)
            return nil
        } catch let error as HubError {
            return error
        } catch {
            return HubError(code: .authenticationUnavailable, message: "the ZAP handler does not answer: \(error)")
        }
    }
}

extension Hub {
    /// The most messages the hub reads from its ingress in one poll round: a round that reads
    /// this many left some queued.
    public static var ingressBatchLimit: Int { HubLoop.batchLimit }
}
