import ArgumentParser
import Foundation
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

    @Option(help: "The hub's egress.")
    var egress = "tcp://127.0.0.1:5561"

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
        let received = try await SocketThread(name: "tansiq-sub").run { thread in
            let context = try Context()
            let socket = try context.makeSocket(.sub)
            defer { socket.close() }
            try hubKeys?.configureClient(socket)
            for prefix in prefixes.isEmpty ? [""] : prefixes {
                try socket.set(.subscribe(Array(prefix.utf8)))
            }
            try socket.connect(egress)
            var poller = Poller()
            _ = poller.register(socket)
            let deadline = timeout.map { ContinuousClock.now.advanced(by: .milliseconds(Int64($0 * 1000))) }
            var received = 0
            while !thread.isStopRequested {
                if let deadline, ContinuousClock.now >= deadline { break }
                guard try poller.poll(timeout: .milliseconds(100))[0].contains(.readable) else { continue }
                while let message = try socket.receive(dontWait: true) {
                    printLine(json ? MessageRendering.json(message.frames) : MessageRendering.line(message.frames))
                    received += 1
                    if let count, received >= count { return received }
                }
            }
            return received
        }
        if let count, received < count { throw ExitCode(1) }
    }
}
