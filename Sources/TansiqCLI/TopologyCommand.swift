import ArgumentParser
import Foundation
import TansiqHub
import TansiqSimulation
import Yams

/// `tansiq topology`: check and describe topology files.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Check and describe simulated stakeholder network files (see docs/topologies.md).",
        subcommands: [Validate.self, Show.self, TopologyFromJournalCommand.self, TopologyGenerateCommand.self]
    )

    /// `tansiq topology validate FILE…`
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate topology files and report every mistake.",
            discussion: "Prints 'FILE: ok — …' for a valid file, or one line per mistake ('FILE: KEYPATH: message') on standard error. A hub's access policy (FILE.policy.yaml, or a file of only defaults, roles and agencies) is checked as the hub reads it. Exits 1 when a file is invalid."
        )

        @Argument(help: "Topology files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
        var files: [String] = []

        func validate() throws {
            if files.isEmpty {
                throw ValidationError("Give at least one topology file, e.g. tansiq topology validate Topologies/agadir-pilot.yaml")
            }
        }

        func run() throws {
            var allValid = true
            for file in files {
                // An access policy beside the topologies (Topologies/*.yaml takes it too) is
                // checked as the hub would read it.
                if Self.isAccessPolicy(file) {
                    do {
                        let policy = try AccessPolicy.load(contentsOf: file)
                        print("\(file): ok — access policy: \(policy.roles.count) roles, \(policy.agencies.count) agencies")
                    } catch {
                        allValid = false
                        FileHandle.standardError.write(Data("\((error as? HubError)?.message ?? "\(file): \(error)")\n".utf8))
                    }
                    continue
                }
                do {
                    let topology = try Topology.load(contentsOf: URL(fileURLWithPath: file))
                    print("\(file): ok — \(topology.summaryLine)")
                } catch let failure as TopologyValidationFailure {
                    allValid = false
                    FileHandle.standardError.write(Data((failure.description + "\n").utf8))
                }
            }
            if !allValid { throw ExitCode(1) }
        }

        /// Whether `file` is a hub's access policy: named `*.policy.yaml`, or a mapping of only
        /// the policy's keys (`defaults`, `roles`, `agencies`).
        static func isAccessPolicy(_ file: String) -> Bool {
            if file.hasSuffix(".policy.yaml") || file.hasSuffix(".policy.yml") { return true }
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                  let keys = (try? Yams.compose(yaml: text))??.mapping?.keys.compactMap(\.string), !keys.isEmpty
            else { return false }
            return Set(keys).isSubset(of: ["defaults", "roles", "agencies"])
        }
    }

    /// `tansiq topology show FILE`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarise a topology: nodes, roles, services, capacities, links, scenario and faults."
        )

        @Argument(help: "A topology file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        func run() throws {
            do {
                print(try Topology.load(contentsOf: URL(fileURLWithPath: file)).overview)
            } catch let failure as TopologyValidationFailure {
                FileHandle.standardError.write(Data((failure.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}
