import Foundation
import Testing

/// `tansiq sim run` against the process's open-file limit: raised when it may be, a clear
/// refusal up front when the network cannot fit, never a crash half-way (it used to trap on
/// `EMFILE` once a thousand secure agents had taken every descriptor).
@Suite("tansiq sim run and the open-file limit", .serialized)
struct SimDescriptorLimitTests {
    /// `tansiq sim run ARGS` in a shell that first runs `limit` (`ulimit -n 200`). As root the
    /// run could raise its hard limit: the capability to do so (CAP_SYS_RESOURCE) is dropped,
    /// so that the test sees what an ordinary user would.
    func simRun(under limit: String, _ arguments: [String]) throws -> ChildProcess {
        let tansiq = ChildProcess.binaries.appendingPathComponent("tansiq").path
        let shell = ["/bin/sh", "-c", "\(limit) && exec \"$0\" \"$@\"", tansiq, "sim", "run"] + arguments
        let command = getuid() == 0 ? ["--bounding-set", "-sys_resource"] + shell : Array(shell.dropFirst())
        return try ChildProcess(getuid() == 0 ? "/usr/bin/setpriv" : "/bin/sh", command)
    }

    @Test(.timeLimit(.minutes(1)))
    func aNetworkThatCannotFitTheLimitIsRefusedUpFrontWithTheFigures() async throws {
        let topology = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path
        let run = try simRun(under: "ulimit -n 200", [topology, "--quiet"])
        #expect(await run.exitStatus() == 1, "\(run.standardError)")
        let errors = run.standardError
        #expect(errors.contains("4 agents need about"), "\(errors)")
        #expect(errors.contains("file descriptors, the limit is 200"), "\(errors)")
        #expect(!errors.contains("Fatal error") && !errors.contains("Illegal instruction"), "\(errors)")
    }

    @Test(.timeLimit(.minutes(2)))
    func aSoftLimitBelowTheNeedIsRaisedAndTheSecureRunCompletes() async throws {
        let topology = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path
        // The soft limit only: the hard one stays, and the run may raise the soft one to it.
        let run = try simRun(under: "ulimit -Sn 200", [topology, "--quiet"])
        #expect(await run.exitStatus() == 0, "\(run.standardError)")
    }
}
