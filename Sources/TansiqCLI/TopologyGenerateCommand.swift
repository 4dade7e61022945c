import ArgumentParser
import Foundation
import TansiqSimulation

/// `tansiq topology generate`: a synthetic network of any size, for scale runs.
struct TopologyGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic topology of N agencies that sends about a given number of referrals.",
        discussion: """
            Regions of twenty agencies shaped like Topologies/large.yaml (two communes, an IOM \
            office, six state services, eleven associations; the first commune coordinates), one \
            agent each; every referrer links to the providers of its region, capacities hold the \
            region's load with headroom, and the Poisson arrival rate gives about --referrals \
            referrals over --days. The same options and seed give the same file. Prints the \
            plan's counts on standard error.

            Examples:
              tansiq topology generate --agencies 1000 --referrals 100000 --days 30 --seed 1 > Topologies/generated-1000.yaml
              tansiq topology generate --agencies 60 --referrals 2000 --output /tmp/small.yaml
            """
    )

    @Option(help: "How many agencies (one agent each), at least 3.")
    var agencies: Int

    @Option(help: "About how many referrals the run sends.")
    var referrals: Int

    @Option(help: "Simulated days during which cases arrive (general.stop_time).")
    var days = 30

    @Option(help: "Simulated days after arrivals stop (general.drain).")
    var drain = 7

    @Option(help: "Seed of the generation and the file's general.seed.")
    var seed: UInt64 = 1

    @Option(help: "The topology's name (an identifier; default generated-N).")
    var name: String?

    @Option(help: "Write the topology to this file (default: standard output).")
    var output: String?

    func validate() throws {
        let limits = TopologyGenerator.Options.self
        guard (limits.minimumAgencies...limits.maximumAgencies).contains(agencies) else {
            throw ValidationError("--agencies must be between \(limits.minimumAgencies) and \(limits.maximumAgencies), not \(agencies)")
        }
        guard referrals >= 1, referrals <= 10_000_000 else {
            throw ValidationError("--referrals must be between 1 and 10000000, not \(referrals)")
        }
        guard days >= 1, days <= 3650 else { throw ValidationError("--days must be between 1 and 3650, not \(days)") }
        guard drain >= 0, drain <= 3650 else { throw ValidationError("--drain must be between 0 and 3650 days, not \(drain)") }
        if let name, name.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) == nil {
            throw ValidationError("--name must be an identifier: [a-z0-9][a-z0-9-]*, 1–63 characters")
        }
    }

    func run() throws {
        let generated: TopologyGenerator
        do {
            generated = try TopologyGenerator(options: .init(
                agencies: agencies, referrals: referrals, days: days, seed: seed, drainDays: drain, name: name))
        } catch {
            printError("error: \(error.code): \(error.message)")
            throw ExitCode(70)
        }
        let plan = ScenarioPlan(topology: generated.topology, seed: nil)
        printError("\(generated.topology.summaryLine); plan: \(plan.cases.count) cases, \(plan.referralCount) referrals")
        if let output {
            try SimCommand.Run.prepareDirectories(for: [output])
            try SimCommand.Run.write(Data(generated.yaml.utf8), to: output)
            printError("topology: \(output)")
        } else {
            print(generated.yaml, terminator: "")
        }
    }
}
