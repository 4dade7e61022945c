#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The file descriptors a run needs, and the process's limit raised to fit them before anything
/// starts: a network too large for the limit is refused up front with the figures, instead of
/// failing half-started with `EMFILE`.
///
/// Measured with `ls /proc/PID/fd` at 10 and 100 agents (docs/topologies.md): an agent that is
/// a thread of `tansiq` holds one eventfd per ZeroMQ socket (subscriber, confirmed publisher,
/// which also carries its heartbeats, replay client, and two per monitor: the subscriber's and
/// the confirmed publisher's), and over loopback its connections take a descriptor on each side.
struct DescriptorBudget: Equatable {
    /// The descriptors the run needs.
    var needed: Int
    /// The ZeroMQ sockets it needs (libzmq's own limit, `ZMQ_MAX_SOCKETS`).
    var sockets: Int

    /// The hub, its journal, the process's own (standard streams, the runtime's), the host
    /// threads' wake-up pipes.
    static let base = 256
    /// ZeroMQ sockets of one agent thread, each holding an eventfd, and its loopback
    /// connections (egress, confirmed publish, replay).
    static let socketsPerAgent = 7
    static let connectionsPerAgent = 3
    /// What the `tansiq` process holds for one agent process: its end of the agent's four
    /// connections to the hub and of its three standard streams.
    static let perAgentProcess = 7

    /// `agents` agents: threads of this process or processes. `overLoopback`: threads reach the
    /// hub over tcp or ipc, two descriptors a connection (over inproc, none). `hosted`: on host
    /// threads, which share one wake-up pipe each; with a thread each, an agent in virtual
    /// time (`virtualTime`) has a pipe of its own.
    init(agents: Int, threads: Bool, overLoopback: Bool, hosted: Bool, virtualTime: Bool) {
        guard threads else {
            sockets = 64
            needed = Self.base + agents * Self.perAgentProcess
            return
        }
        sockets = 64 + agents * Self.socketsPerAgent
        let connections = overLoopback ? 2 * Self.connectionsPerAgent : 0
        needed = Self.base + agents * (Self.socketsPerAgent + connections + (!hosted && virtualTime ? 2 : 0))
    }

    /// The process's limit on open files, soft and hard.
    struct Limit: Equatable {
        var soft: Int
        var hard: Int
    }

    /// The current limit.
    static func current() -> Limit {
        var limit = rlimit()
        guard getrlimit(Self.resource, &limit) == 0 else { return Limit(soft: 1024, hard: 1024) }
        return Limit(soft: Self.count(limit.rlim_cur), hard: Self.count(limit.rlim_max))
    }

    /// Raises the soft limit toward the hard one (and the hard one, up to `fs.nr_open`, when
    /// the process may), so that the run fits with a quarter to spare; throws
    /// ``SimulationError/Code/tooManyDescriptors`` when it cannot fit. Returns the limit now
    /// in force.
    @discardableResult
    func raiseLimit(agents: Int) throws -> Limit {
        var limit = Self.current()
        let wanted = needed + needed / 4
        guard limit.soft < wanted else { return limit }
        if limit.hard < wanted, let ceiling = Self.systemCeiling() {
            // Only root may raise the hard limit; for anyone else this fails and changes nothing.
            let hard = min(ceiling, wanted)
            if hard > limit.hard, Self.set(Limit(soft: limit.soft, hard: hard)) { limit = Self.current() }
        }
        let soft = min(limit.hard, wanted)
        if soft > limit.soft, Self.set(Limit(soft: soft, hard: limit.hard)) { limit = Self.current() }
        guard limit.soft >= needed else {
            throw SimulationError(
                code: .tooManyDescriptors,
                message: "\(agents) agents need about \(needed) file descriptors, the limit is \(limit.soft) (hard limit \(limit.hard)); raise it (ulimit -n \(wanted), or LimitNOFILE= for a service), run fewer agents, or run insecure (--insecure: no loopback connections)")
        }
        return limit
    }

    /// `fs.nr_open`: the most any process may have.
    private static func systemCeiling() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func set(_ limit: Limit) -> Bool {
        var value = rlimit(rlim_cur: rlim_t(limit.soft), rlim_max: rlim_t(limit.hard))
        return setrlimit(Self.resource, &value) == 0
    }

    private static func count(_ value: rlim_t) -> Int {
        value > rlim_t(Int32.max) ? Int(Int32.max) : Int(value)
    }

    #if os(Linux)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
