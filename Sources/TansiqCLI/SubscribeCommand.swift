import ArgumentParser
import Foundation
import TansiqAgent
import TansiqMessages
import ZeroMQ

/// `tansiq sub`: print the messages on some topic prefixes.
struct SubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sub",
        abstract: "Print the messages published on topic prefixes.",
        discussion: """
            Prefixes use ZeroMQ's prefix matching; end them with '/' so that 'referral/to/health/' \
            does not also match 'referral/to/health-2/…'. With no prefix, everything is shown.

            Examples:
              tansiq sub referral/to/health-delegation-agadir/ referral/open/health/
              tansiq sub status/iom-morocco/ --json
              tansiq sub hub/ --count 1
            """
    )

    @Argument(help: "Topic prefixes to subscribe to (none: everything).")
    var prefixes: [String] = []

    @Option(name: .customLong("egress"), help: "The hub's egress (default: port 5561 of --hub).")
    var egressFlag: String?

    var egress: String { egressFlag ?? keys.profile.egress.value }

    @OptionGroup var keys: HubKeyOptions

    @Flag(help: "One JSON object per message: {topic, header, body, stamp}.")
    var json = false

    @Option(help: "Exit after this many messages.")
    var count: Int?

    @Option(help: "Exit after this many seconds (status 0 if --count was reached or not given, 1 otherwise).")
    var timeout: Double?

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive, got \(count)") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        for prefix in prefixes where prefix.utf8.count > 255 {
            throw ValidationError("prefix '\(prefix.prefix(40))…' is longer than 255 bytes")
        }
    }

    func run() async throws {
        let (egress, prefixes, json, count, timeout, hubKeys) = (egress, prefixes, json, count, timeout, try keys.load())
        let agency = keys.agency()
        let wanted = prefixes.isEmpty ? [""] : prefixes
        // A secure hub tells an agency of each refused subscription on hub/rejected/<agency>;
        // subscribed first, so that the hub has applied it when it reads the others.
        let rejections = agency.map { "hub/rejected/\($0)" }
        let outcome: Outcome = try await SocketThread(name: "tansiq-sub").run { thread in
            let context = try Context()
            let subscriber = try rejections.map { try HubSubscriber(context: context, egress: egress, keys: hubKeys, prefixes: [$0], after: wanted) }
                ?? HubSubscriber(context: context, egress: egress, keys: hubKeys, prefixes: wanted)
            defer { subscriber.close() }
            let deadline = timeout.map { ContinuousClock.now.advanced(by: .milliseconds(Int64($0 * 1000))) }
            var received = 0
            var refused: Set<String> = []
            var warnings = WarningThrottle(interval: .seconds(30))
            let started = ContinuousClock.now
            while !thread.isStopRequested {
                if let deadline, ContinuousClock.now >= deadline { break }
                let message: Multipart?
                do {
                    message = try subscriber.next(timeout: .milliseconds(100))
                } catch let failure as HubSubscriber.Failure {
                    return .failed(failure)
                }
                guard let message else {
                    if received == 0, !subscriber.watch.isConnected, ContinuousClock.now - started >= HubSubscriber.patience,
                       let problem = try subscriber.silenceProblem(), let repeated = warnings.admit(problem.cause.rawValue, now: .now) {
                        printError("warning: \(problem.message)\(repeated > 0 ? " (still, \(repeated + 1) checks)" : ""); still trying")
                    }
                    continue
                }
                let topic = String(decoding: message.frames.first ?? [], as: UTF8.self)
                if let rejections, topic == rejections, let refusal = Self.refusedSubscription(message.frames, among: wanted) {
                    printError("refused: \(refusal.message) (\(refusal.reason.rawValue)); the hub's policy decides who may read what (docs/security.md)")
                    refused.insert(refusal.topic ?? "")
                    if refused.isSuperset(of: wanted) { return .allRefused(refused.sorted()) }
                    if !wanted.contains(where: { topic.hasPrefix($0) }) { continue }
                }
                printLine(json ? MessageRendering.json(message.frames) : MessageRendering.line(message.frames))
                received += 1
                if let count, received >= count { return .received(received) }
            }
            return .received(received)
        }
        switch outcome {
        case .failed(let failure):
            printError("error: \(failure.problem.message)")
            throw failure.exitCode
        case .allRefused(let prefixes):
            printError("error: the hub refused every subscription (\(prefixes.map { "'\($0)'" }.joined(separator: ", "))): nothing to show")
            throw ExitCode(77)
        case .received(let received):
            if let count, received < count { throw ExitCode(1) }
        }
    }

    private enum Outcome: Sendable {
        case received(Int)
        case allRefused([String])
        case failed(HubSubscriber.Failure)
    }

    /// The hub's refusal of one of `wanted`, when `frames` carry one.
    static func refusedSubscription(_ frames: [[UInt8]], among wanted: [String]) -> HubRejection? {
        guard let (envelope, _) = try? MessageCodec.decode(frames), case .hubRejection(let rejection) = envelope.payload,
              rejection.rejectedMessageId == nil, let topic = rejection.topic, wanted.contains(topic)
        else { return nil }
        return rejection
    }
}
