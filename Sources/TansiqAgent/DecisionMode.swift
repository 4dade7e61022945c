/// Who decides on the referrals an agent receives.
///
/// - `people`: the agency's workers, on its desk (or its case system through the desk's API).
///   The runtime still answers `received` at once, as the delivery receipt; every other move
///   waits for a worker. The default of the agent executables.
/// - `automatic`: the behaviours decide (``ProviderBehaviour`` by capacity and a seeded draw,
///   ``ReferrerBehaviour`` follows suggested alternatives): simulations, demos, tests.
public enum DecisionMode: String, Sendable, Hashable, Codable, CaseIterable {
    case people
    case automatic
}
