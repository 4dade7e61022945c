import ArgumentParser
import Foundation
import TansiqAgent
import TansiqMessages
import ZeroMQ

/// `tansiq stats`: show a hub's statistics.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show a hub's statistics (from its next hub/stats publication).",
        discussion: "Example: tansiq stats --hub hub.agadir.example --watch"
    )

    @Option(name: .customLong("egress"), help: "The hub's egress (default: port 5561 of --hub).")
    var egressFlag: String?

    var egress: String { egressFlag ?? keys.profile.egress.value }

    @Option(help: "Only the statistics of the hub with this id (default: any hub on that egress).")
    var hubID: String?

    @OptionGroup var keys: HubKeyOptions

    @Flag(help: "Keep printing each publication instead of exiting after the first.")
    var watch = false

    @Flag(help: "Print the statistics as JSON.")
    var json = false

    @Option(help: "Seconds to wait for a publication before giving up (exit status 1).")
    var timeout: Double = 15

    func validate() throws {
        try Identifier.check([("--hub-id", hubID)])
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        let prefix = hubID.map { "hub/stats/\($0)" } ?? "hub/stats/"
        let (egress, watch, json, timeout, hubKeys) = (egress, watch, json, timeout, try keys.load())
        let (shown, silence): (Int, HubConnectionProblem?) = try await SocketThread(name: "tansiq-stats").run { thread in
            let context = try Context()
            let subscriber = try HubSubscriber(context: context, egress: egress, keys: hubKeys, prefixes: [prefix])
            defer { subscriber.close() }
            var shown = 0
            var deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
            while !thread.isStopRequested, ContinuousClock.now < deadline {
                let message: Multipart?
                do {
                    message = try subscriber.next(timeout: .milliseconds(200))
                } catch let failure as HubSubscriber.Failure {
                    return (shown, failure.problem)
                }
                guard let message else { continue }
                guard let (envelope, _) = try? MessageCodec.decode(message.frames),
                      case .hubStatistics(let statistics) = envelope.payload else { continue }
                printLine(json ? MessageRendering.json(message.frames) : Self.render(statistics))
                shown += 1
                guard watch else { break }
                deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
            }
            return (shown, shown == 0 && !subscriber.watch.isConnected ? try subscriber.silenceProblem() : nil)
        }
        if let silence {
            printError("error: \(silence.message)")
            throw HubSubscriber.Failure(problem: silence).exitCode
        }
        if shown == 0 {
            printError("error: connected to \(egress) but no hub/stats publication within \(timeout) s (is --hub right, or is --statistics-interval longer?)")
            throw ExitCode(1)
        }
    }

    static func render(_ statistics: HubStatistics) -> String {
        var lines = [
            "hub \(statistics.hub)  up \(Int(statistics.uptimeSeconds)) s  \(statistics.secure ? "CURVE on" : "INSECURE (no CURVE)")",
            "  messages in   \(statistics.messagesIn)  (\(statistics.bytesIn) bytes)",
            "  messages out  \(statistics.messagesOut)  (\(statistics.bytesOut) bytes)",
            "  peers \(statistics.peers)  subscriptions \(statistics.subscriptions)"
                + (statistics.ingressDisconnects.map { "  ingress disconnects \($0) (peers that closed, or that libzmq dropped for an oversized frame)" } ?? ""),
            statistics.journal.map { "  journal \($0.backend): \($0.entries) messages, last seq \($0.lastSequence)" }
                ?? "  journal OFF (no replay, nothing survives a restart)",
        ]
        let rejections = statistics.rejections.sorted { $0.key < $1.key }
        lines.append("  rejected \(rejections.reduce(0) { $0 + $1.value })" + (rejections.isEmpty ? "" : ":"))
        for (reason, count) in rejections {
            lines.append("    \(reason)  \(count)")
        }
        return lines.joined(separator: "\n")
    }
}
