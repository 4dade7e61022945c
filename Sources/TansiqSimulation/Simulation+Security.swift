import Foundation
import TansiqAgent
import TansiqHub
import ZeroMQ

extension Simulation {
    /// The keys and policy of a secure run: a new pair for the hub and for every agency, made
    /// for this run only, and a policy that lets each agency subscribe to exactly what its
    /// agents subscribe to (the least privilege the plan needs).
    struct RunSecurity {
        var hub: HubSecurity
        var agencies: [String: HubClientKeys]
        private var hubPublicKey: String
        private var written: URL?

        init(plan: ScenarioPlan, behaviour: (ScenarioPlan.Agent) -> any AgentBehaviour) throws {
            let hubKeys = try CurveKeyPair.generate()
            var publicKeys: [String: String] = [:]
            var clients: [String: HubClientKeys] = [:]
            var policy = AccessPolicy(defaults: AccessPolicy.leastPrivilege.defaults)
            for agent in plan.agents {
                if clients[agent.agency] == nil {
                    let pair = try CurveKeyPair.generate()
                    publicKeys[agent.agency] = pair.publicKey
                    clients[agent.agency] = HubClientKeys(keys: pair, hubPublicKey: hubKeys.publicKey)
                }
                var entry = policy.agencies[agent.agency] ?? AccessPolicy.Agency()
                for prefix in behaviour(agent).subscriptions + agent.subscriptions
                where !entry.rule.subscribe.allow.contains(prefix) {
                    entry.rule.subscribe.allow.append(prefix)
                }
                policy.agencies[agent.agency] = entry
            }
            hub = .curve(HubSecurity.Curve(
                hubKeys: hubKeys, agencies: .keyring(AgencyKeyring(publicKeys: publicKeys)), policy: .policy(policy)
            ))
            agencies = clients
            hubPublicKey = hubKeys.publicKey
        }

        /// Writes the certificates agent processes read (`--secret-key`, `--hub-key`) into a new
        /// private directory, removed by ``removeFiles()``.
        mutating func certificateFiles() throws -> AgentProcesses.KeyFiles {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-sim-keys-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            written = directory
            let hubFile = directory.appendingPathComponent("hub.key").path
            try CurveCertificate(publicKey: hubPublicKey).write(to: hubFile)
            var files: [String: String] = [:]
            for (agency, keys) in agencies {
                let file = directory.appendingPathComponent("\(agency).secret").path
                try CurveCertificate(keyPair: keys.keys).write(to: file)
                files[agency] = file
            }
            return AgentProcesses.KeyFiles(directory: directory, hub: hubFile, agencies: files)
        }

        /// Deletes the certificates written for the run, if any.
        func removeFiles() {
            if let written { try? FileManager.default.removeItem(at: written) }
        }
    }
}
