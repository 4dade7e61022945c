extension PrivacyRules {
    /// Throws unless `worker` is a worker id the bus accepts (a role id such as `caseworker-3`),
    /// with the message the hub gives for a `referringWorker` it refuses.
    public func checkWorkerID(_ worker: String) throws(ProtocolError) {
        try Identifier.check(worker, "worker role id", at: "worker")
        try checkWorker(worker, at: "worker")
    }
}
