import ArgumentParser

/// `tansiq bench`: load through a hub (and a plain proxy), or the codec alone.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput and latency: through a hub and a plain proxy, or of the codec.",
        subcommands: [LoadBenchCommand.self, CodecBenchCommand.self],
        defaultSubcommand: LoadBenchCommand.self
    )
}

/// `tansiq bench codec`.
struct CodecBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Encode and decode a typical referral, and decode only its header, on one core.",
        discussion: "Build in release mode for meaningful figures: swift build -c release && .build/release/tansiq bench codec"
    )

    @Option(help: "Iterations of each measurement.")
    var iterations = 200_000

    func validate() throws {
        if iterations <= 0 { throw ValidationError("--iterations must be positive") }
    }

    func run() throws {
        printLine("operation                 iterations   seconds   messages/s")
        for result in CodecBenchmark.run(iterations: iterations) {
            printLine(
                result.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(result.iterations).leftPadded(12)
                    + String(format: "%10.3f", result.seconds)
                    + String(format: "%13.0f", result.messagesPerSecond)
            )
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
