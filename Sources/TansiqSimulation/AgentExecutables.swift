import TansiqAgent
import Foundation

/// Where `tansiq sim run --processes` finds the agent executables, and how long it gives them
/// to start and to stop.
public struct AgentExecutables: Sendable {
    /// The directory holding `commune-agent`, `iom-agent`, `services-agent` and `civil-society-agent`.
    public var directory: URL
    /// Real time an agent gets to become ready (connected both ways) after it is spawned; a
    /// batch of agents started together gets this plus a tenth of a second per agent.
    public var readyTimeout: Duration
    /// Real time agents get to exit after SIGTERM before they are killed (SIGKILL).
    public var stopTimeout: Duration
    /// Least severe level of the agents' own logs (kept in the run's temporary directory).
    public var logLevel: String

    /// Creates the settings.
    public init(directory: URL, readyTimeout: Duration = .seconds(30), stopTimeout: Duration = .seconds(5), logLevel: String = "warning") {
        self.directory = directory
        self.readyTimeout = readyTimeout
        self.stopTimeout = stopTimeout
        self.logLevel = logLevel
    }

    /// The executable that runs an agency of `role`.
    public static func executableName(for role: AgentRole) -> String {
        switch role {
        case .commune: return "commune-agent"
        case .iom: return "iom-agent"
        case .service: return "services-agent"
        case .civilSociety: return "civil-society-agent"
        }
    }

    /// The executables `topology` needs that are not in ``directory``.
    public func missing(for topology: Topology) -> [String] {
        Set(topology.nodes.map { Self.executableName(for: $0.role) }).sorted().filter {
            !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path)
        }
    }
}
