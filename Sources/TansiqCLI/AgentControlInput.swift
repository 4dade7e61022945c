import Foundation
import Logging
import TansiqAgent

/// `--stdin-control`: the lines a supervisor (the simulator) writes on an agent's standard
/// input. `slow FACTOR` sets the desk's delay factor; the end of input stops the agent, so that
/// agents never outlive a supervisor that dies.
enum AgentControlInput {
    /// Reads standard input on a thread of its own until it closes, then calls `onClose`.
    static func start(pace: DelayFactor?, logger: Logger, onClose: @escaping @Sendable () -> Void) {
        let thread = Thread {
            while let line = readLine() {
                let words = line.split(separator: " ")
                if words.count == 2, words[0] == "slow", let factor = Double(words[1]), factor.isFinite, factor > 0 {
                    pace?.set(factor)
                    logger.notice("delay factor set", metadata: ["factor": "\(factor)"])
                } else if !words.isEmpty {
                    logger.warning("unknown control line", metadata: ["line": "\(line)"])
                }
            }
            logger.info("standard input closed: stopping")
            onClose()
        }
        thread.name = "tansiq-agent-control"
        thread.start()
    }
}
