import ArgumentParser
import Foundation
import Histogram
import Logging
import TansiqHub

/// `tansiq bench` (the default): N publishers and M subscribers through a hub, in the spirit
/// of `nats bench`, optionally the same load through a plain libzmq XSUB/XPUB proxy.
struct LoadBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Publishers and subscribers through a hub; the same load through a plain zmq_proxy with --compare-proxy.",
        discussion: """
            Everything runs in this process over tcp on 127.0.0.1. Each publisher sends valid \
            referral messages (the note is padded towards --size); each subscriber receives every \
            message. Throughput counts messages received by all subscribers from the first send \
            to the last receipt; latency is from send to receipt, in an HDR histogram. Build in \
            release mode for meaningful figures:
              swift build -c release && .build/release/tansiq bench --messages 200000 --compare-proxy
            With --journal full,normal,off the hub runs once per journal mode (each journal in a new \
            temporary file), so that the cost of storing before forwarding shows on the same run; \
            normal+sealed and full+sealed encrypt every body at rest (a data key per referral).
            """
    )

    @Option(help: "Publishers, each on its own thread and connection.")
    var publishers = 1

    @Option(help: "Subscribers, each on its own thread and connection.")
    var subscribers = 1

    @Option(help: "Messages per publisher.")
    var messages = 100_000

    @Option(help: "Approximate message size in bytes (all frames); a referral cannot be smaller than about 900 bytes or larger than about 1,300.")
    var size = 1000

    @Option(help: "Messages per second per publisher (0: as fast as possible).")
    var rate = 0

    @Option(help: "What the hub validates: full or header-only.")
    var bodyValidation: HubConfiguration.BodyValidation = .full

    @Flag(help: "Also run the same load through a plain libzmq XSUB/XPUB proxy and print the ratio.")
    var compareProxy = false

    @Option(help: "Run the hub once per journal mode, comma-separated: full, normal, off, full+sealed, normal+sealed (journals go to temporary files; +sealed encrypts bodies). Default: off only.")
    var journal = "off"

    @Flag(help: "Also run each hub load with confirmed publishing (DEALER to the publish endpoint, each message acknowledged after its group commit), beside the plain one.")
    var confirmed = false

    @Option(help: "With --confirmed: messages a publisher may have sent and not yet seen acknowledged.")
    var window = 1000

    @Option(help: "Hub configurations to run, comma-separated, each JOURNAL[/header-only] (JOURNAL: full, normal, off, full+sealed, normal+sealed), e.g. full,normal,off,off/header-only; replaces --journal and --body-validation.")
    var hubs: String?

    @Option(help: "Rounds: every configuration (and the proxy) once per round, interleaved; the table shows medians, and each hub's ratio is the median of its per-round ratios to the proxy.")
    var rounds = 1

    @Flag(help: "Print the results as one JSON object.")
    var json = false

    func validate() throws {
        guard (1...64).contains(publishers) else { throw ValidationError("--publishers must be between 1 and 64") }
        guard (1...64).contains(subscribers) else { throw ValidationError("--subscribers must be between 1 and 64") }
        guard (1...10_000_000).contains(messages) else { throw ValidationError("--messages must be between 1 and 10,000,000") }
        guard rate >= 0 else { throw ValidationError("--rate must not be negative") }
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 20") }
        _ = try configurations()
    }

    /// One hub configuration of the run.
    private struct HubRun {
        var durability: JournalDurability?
        var sealed: Bool
        var bodyValidation: HubConfiguration.BodyValidation
        var confirmed: Bool
    }

    /// The hubs to run, in the order given: `--hubs`, or `--journal` × `--body-validation`.
    private func configurations() throws -> [HubRun] {
        var runs: [HubRun] = []
        if let hubs {
            for item in hubs.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let parts = item.split(separator: "/").map(String.init)
                guard (1...2).contains(parts.count) else { throw ValidationError("--hubs: '\(item)' is not JOURNAL[/header-only]") }
                var validation = HubConfiguration.BodyValidation.full
                if parts.count == 2 {
                    guard let parsed = HubConfiguration.BodyValidation(rawValue: parts[1]) else {
                        throw ValidationError("--hubs: '\(parts[1])' is not a body validation (full, header-only)")
                    }
                    validation = parsed
                }
                let mode = try journalMode(parts[0])
                runs.append(HubRun(durability: mode?.durability, sealed: mode?.sealed ?? false, bodyValidation: validation, confirmed: false))
            }
        } else {
            for mode in try journalModes() {
                runs.append(HubRun(durability: mode?.durability, sealed: mode?.sealed ?? false, bodyValidation: bodyValidation, confirmed: false))
            }
        }
        guard !runs.isEmpty else { throw ValidationError("--hubs needs at least one configuration") }
        if confirmed { runs = runs.flatMap { run in [run, HubRun(durability: run.durability, sealed: run.sealed, bodyValidation: run.bodyValidation, confirmed: true)] } }
        return runs
    }

    /// The journal modes to run, in the order given; `nil` is the hub without a journal. A mode
    /// ending in `+sealed` seals every body with a data key per referral (a new master key).
    private func journalModes() throws -> [(durability: JournalDurability, sealed: Bool)?] {
        let names = journal.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw ValidationError("--journal needs at least one of full, normal, off") }
        return try names.map(journalMode)
    }

    private func journalMode(_ name: String) throws -> (durability: JournalDurability, sealed: Bool)? {
        if name == "off" { return nil }
        let sealed = name.hasSuffix("+sealed")
        guard let durability = JournalDurability(rawValue: sealed ? String(name.dropLast(7)) : name) else {
            throw ValidationError("--journal: '\(name)' is not one of full, normal, off, full+sealed, normal+sealed")
        }
        return (durability, sealed)
    }

    func run() async throws {
        let load = LoadRun.Parameters(publishers: publishers, subscribers: subscribers, messages: messages, size: size, rate: rate)
        let hubRuns = try configurations()
        // rounds[r][c]: configuration c of round r; the proxy last in each round.
        var rounds: [[LoadRun.Result]] = []
        for _ in 0..<self.rounds {
            var round: [LoadRun.Result] = []
            for hub in hubRuns {
                round.append(try await LoadRun.throughHub(
                    load, bodyValidation: hub.bodyValidation, journal: hub.durability, sealed: hub.sealed,
                    confirmed: hub.confirmed, window: window))
            }
            if compareProxy { round.append(try await LoadRun.throughProxy(load)) }
            rounds.append(round)
        }
        let results = self.rounds == 1 ? rounds[0] : LoadRun.Result.medians(of: rounds)
        let proxyIndex = compareProxy ? results.count - 1 : nil
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            printLine(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        if self.rounds > 1 {
            printLine("\(self.rounds) interleaved rounds: medians; 'range' is the lowest and highest received/s; 'vs proxy' the median of the per-round ratios")
        }
        printLine("target          pubs subs  msgs/pub  bytes  received/s   p50 µs   p90 µs   p99 µs   max µs  lost"
            + (proxyIndex == nil ? "" : "  vs proxy") + (self.rounds > 1 ? "  range" : ""))
        for (index, result) in results.enumerated() {
            var row = result.row
            if let proxyIndex {
                // The ratio within each round, then its median: rounds share the machine's mood.
                let ratios = rounds.map { round in round[proxyIndex].receivedPerSecond > 0 ? round[index].receivedPerSecond / round[proxyIndex].receivedPerSecond : 0 }
                row += String(format: "%10.2f", LoadRun.median(ratios))
            }
            if self.rounds > 1 {
                let rates = rounds.map { $0[index].receivedPerSecond }
                row += String(format: "  %.0f–%.0f", rates.min() ?? 0, rates.max() ?? 0)
            }
            printLine(row)
        }
    }
}
