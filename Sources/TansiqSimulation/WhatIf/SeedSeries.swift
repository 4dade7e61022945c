import Foundation
import Logging
import TansiqAgent

/// One plan run over consecutive seeds (the file's `general.seed`, then the next ones), in
/// virtual time, each seed's run an ordinary ``Simulation``.
public struct SeedSeries: Sendable {
    public var topology: Topology
    public var seeds: [UInt64]
    public var secure: Bool
    /// The host threads of each run's agents (``Simulation/threads``); `nil` is a thread per agent.
    public var threads: Int?
    /// The grid each run's clock moves on (``Simulation/timeStep``); `nil`: every event at its time.
    public var timeStep: SimulatedDuration?

    public init(topology: Topology, seeds count: Int, secure: Bool = true) {
        self.topology = topology
        seeds = (0..<UInt64(max(1, count))).map { topology.general.seed &+ $0 }
        self.secure = secure
    }

    /// Runs every seed in turn; `progress` hears of each run's start.
    public func run(logger: Logger, progress: (@Sendable (UInt64) -> Void)? = nil) async throws -> [SimulationReport] {
        var reports: [SimulationReport] = []
        for seed in seeds {
            progress?(seed)
            var simulation = Simulation(topology: topology, seed: seed, secure: secure)
            simulation.time = .virtual
            simulation.threads = threads
            simulation.timeStep = timeStep
            reports.append(try await simulation.run(logger: logger))
        }
        return reports
    }
}

/// The same outcomes for several plans (or one plan at several settings), each an interval
/// over the seeds.
public struct OutcomeTable: Codable, Sendable, Equatable {
    /// The column names: plan files, or parameter values.
    public var columns: [String]
    public var seeds: [UInt64]
    public var rows: [Row]

    public struct Row: Codable, Sendable, Equatable {
        public var metric: String
        public var higherIsBetter: Bool
        /// One interval per column.
        public var intervals: [SeedInterval]
        /// For two columns: the second minus the first, seed by seed.
        public var difference: SeedInterval?
    }

    /// The table of `reports` (one list per column, seed by seed).
    public init(columns: [String], seeds: [UInt64], reports: [[SimulationReport]], categories: [String]) {
        self.columns = columns
        self.seeds = seeds
        rows = OutcomeMetric.all(categories: categories).map { metric in
            let intervals = reports.map { SeedInterval($0.map(metric.value)) }
            var difference: SeedInterval?
            if reports.count == 2 {
                difference = SeedInterval(zip(reports[1], reports[0]).map { metric.value($0) - metric.value($1) })
            }
            return Row(metric: metric.name, higherIsBetter: metric.higherIsBetter, intervals: intervals, difference: difference)
        }
    }

    init(columns: [String], seeds: [UInt64], rows: [Row]) {
        self.columns = columns
        self.seeds = seeds
        self.rows = rows
    }

    /// The row of `metric`.
    public func row(_ metric: String) -> Row? { rows.first { $0.metric == metric } }
}
