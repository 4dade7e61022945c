import ArgumentParser
import Foundation

/// `--threads`: how many threads host a simulation's agents, for `sim run`, `compare` and `sweep`.
struct HostThreadsOption: ParsableArguments {
    @Option(name: .long, help: "How many threads host the agents, each polling its agents' sockets at once (default: the number of cores).")
    var threads: Int?

    /// The threads asked for, or one per core.
    var count: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let threads, !(1...1024).contains(threads) {
            throw ValidationError("--threads must be between 1 and 1024, not \(threads)")
        }
    }
}
