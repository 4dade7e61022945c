import Logging
import ZeroMQ

extension AgentLoop {
    /// Warns, a few seconds into a silence and then at most once per interval with its length,
    /// that the agent cannot talk to its hub, and why when the handshake says so.
    func warnIfHubUnreachable() {
        guard let problem = connection.problem(after: configuration.hubWarnings.after),
              connectionWarnings.admit(problem.cause.rawValue, now: .now) != nil
        else { return }
        let silent = ContinuousClock.now - connection.silentSince
        let metadata: Logger.Metadata = [
            "cause": "\(problem.cause.rawValue)", "endpoint": "\(problem.endpoint)", "silent-seconds": "\(silent.components.seconds)",
        ]
        logger.warning("cannot talk to the hub: \(problem.message)", metadata: metadata)
    }
}
