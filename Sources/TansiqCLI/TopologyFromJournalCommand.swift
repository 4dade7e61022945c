import ArgumentParser
import Foundation
import TansiqAgent
import TansiqHub
import TansiqSimulation

/// `tansiq topology from-journal JOURNAL`: a topology fitted from a hub's history.
struct TopologyFromJournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-journal",
        abstract: "Write a topology fitted from a hub's history: agencies, capacities, routes, arrivals and delays.",
        discussion: """
            Reads the hub's database read-only (beside a running hub too): the referral registry \
            (parties, categories, priorities, states and times, readable without a key) and the \
            agencies' presence and service-status messages (roles, agents, capacities; their \
            bodies are sealed when the hub runs with a master key: give it, or roles and \
            capacities are estimated from the registry). Writes only agency ids, categories, \
            counts and distributions, each fitted figure's origin in a comment; prints how the \
            history was read on standard error. The file has no faults: what the history's \
            outages, slow spells and hub restarts cost is folded into the fitted times. Exit status 66 when the file is missing, not a \
            journal or holds too little history, 64 when the coordinator cannot be told or an \
            option names an unknown agency.

            Examples:
              tansiq topology from-journal tansiq-journal.sqlite --output Topologies/fitted.yaml
              tansiq topology from-journal tansiq-journal.sqlite --master-key-file /etc/tansiq/master.key --name agadir-fitted
            """
    )

    @Argument(help: "The hub's journal (SQLite file).", completion: .file(extensions: ["sqlite"]))
    var journal: String

    @Option(help: "Write the topology to this file (default: standard output).")
    var output: String?

    @Option(help: "The fitted topology's name (an identifier).")
    var name = "fitted"

    @Option(help: "The fitted topology's general.seed.")
    var seed: UInt64 = Topology.General.defaultSeed

    @Option(help: "The coordinating commune, when the registry shows no escalation acknowledged by it.")
    var coordinator: String?

    @Option(help: "An agency's role when its presence cannot be read, AGENCY=ROLE (commune, iom, service, civil-society); repeatable.")
    var role: [String] = []

    @Option(help: "Simulated time after arrivals stop (default: what the history covers after its last case), e.g. 9d.")
    var drain: String?

    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws {
        guard name.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil else {
            throw ValidationError("--name must be an identifier: [a-z0-9][a-z0-9-]*, 1–63 characters")
        }
        _ = try roles()
        if let drain {
            do { _ = try SimulatedDuration(parsing: drain) } catch { throw ValidationError("--drain: \(error)") }
        }
    }

    func roles() throws -> [String: AgentRole] {
        var roles: [String: AgentRole] = [:]
        for text in role {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let role = AgentRole(rawValue: parts[1]) else {
                throw ValidationError("--role takes AGENCY=ROLE with ROLE one of \(AgentRole.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            roles[parts[0]] = role
        }
        return roles
    }

    func run() throws {
        let database = try JournalCommand.open(journal, masterKey: try masterKey.load())
        defer { database.close() }
        let history: NetworkHistory
        do {
            history = try NetworkHistory(journal: database)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(66)
        }
        let options = TopologyFit.Options(
            name: name, seed: seed, coordinator: coordinator, roles: try roles(),
            drain: try drain.map { try SimulatedDuration(parsing: $0) })
        let fit: TopologyFit
        do {
            fit = try TopologyFit(history: history, source: URL(fileURLWithPath: journal).lastPathComponent, options: options)
        } catch {
            printError("error: \(error.code): \(error.message)")
            switch error.code {
            case .tooLittleHistory: throw ExitCode(66)
            case .invalidFit: throw ExitCode(70)
            default: throw ExitCode(64)
            }
        }
        for note in fit.notes { printError(note) }
        printError(fit.topology.summaryLine)
        if let output {
            try SimCommand.Run.prepareDirectories(for: [output])
            try SimCommand.Run.write(Data(fit.yaml.utf8), to: output)
            printError("topology: \(output)")
        } else {
            print(fit.yaml, terminator: "")
        }
    }
}
