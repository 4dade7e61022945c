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
        }
    }
}
