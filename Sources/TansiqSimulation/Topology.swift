import TansiqMessages
/// A simulated stakeholder network, read from a topology file: who takes part, what each
/// agency offers and how fast it answers, who refers what to whom, the stream of cases to
/// play, and the faults to inject.
///
/// Obtain one with ``load(contentsOf:)`` or ``parse(yaml:file:)``; both validate the whole file,
/// so a `Topology` value always has exactly one coordinator, known references and sane
/// parameters. The format is described in `docs/topologies.md`.
public struct Topology: Sendable, Equatable {
    /// The topology's identifier (`name:`), e.g. `agadir-pilot`.
    public var name: String
    /// Free text for people (`description:`); empty when absent.
    public var description: String
    /// Seed, length and pace of a run (`general:`).
    public var general: General
    /// The hubs, in file order (`topology.hubs:`); one hub `main` when the file names none.
    public var hubs: [Hub]
    /// The agencies, in file order (`topology.nodes:`), with role defaults (`topology.kinds:`) applied.
    public var nodes: [Node]
    /// The referral routes, in file order (`topology.links:`).
    public var links: [Link]
    /// The stream of cases to play (`scenario:`).
    public var scenario: Scenario
    /// Faults to inject, in file order (`faults:`).
    public var faults: [Fault]

    /// The commune that coordinates the network; a validated topology has exactly one.
    public var coordinator: Node {
        guard let node = nodes.first(where: \.isCoordinator) else {
            preconditionFailure("a validated topology has exactly one coordinator")
        }
        return node
    }

    /// The number of agents all agencies run together.
    public var agentCount: Int { nodes.reduce(0) { $0 + $1.agents } }

    /// The node with identifier `id`, if any.
    public func node(id: String) -> Node? { nodes.first { $0.id == id } }

    /// The hub with identifier `id`, if any.
    public func hub(id: String) -> Hub? { hubs.first { $0.id == id } }

    /// Every category at least one node offers, in ``ServiceCategory`` order.
    public var offeredCategories: [ServiceCategory] {
        let offered = Set(nodes.flatMap { $0.services.map(\.category) })
        return ServiceCategory.allCases.filter(offered.contains)
    }

    /// The nodes that offer `category`, in file order.
    public func providers(of category: ServiceCategory) -> [Node] {
        nodes.filter { $0.offers(category) }
    }

    /// The links a referrer `from` may use for `category`, in file order; empty means the
    /// referral goes out as an open referral to every provider of the category.
    public func routes(from: String, for category: ServiceCategory) -> [Link] {
        links.filter { $0.from == from && $0.services.contains(category) }
    }
}
