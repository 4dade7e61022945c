import ArgumentParser
import Foundation
import Logging
import TansiqAgent
import TansiqHub
import TansiqMessages
import ZeroMQ

/// `tansiq pub`: validate a typed message and send it to a hub's ingress.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pub",
        abstract: "Validate a typed message and publish it to the hub.",
        discussion: """
            The message is checked with the same codec the hub uses before it leaves; an invalid \
            one is refused here with the key path and the reason (exit status 65). The message \
            goes to the hub's confirmed publish endpoint and the command waits for the hub's \
            acknowledgement: exit status 0 only once the hub has journaled it (printing its \
            sequence, and for a referral the referral id), 65 when the hub refuses it (the reason \
            is printed), 69 when no hub answers within --connect-timeout, 75 when the hub was \
            reached but did not confirm within --confirm-timeout (still rate-limited, journal \
            unavailable). --no-confirm sends to the ingress instead, without confirmation.
            """,
        subcommands: [PublishFileCommand.self, PublishReferralCommand.self, PublishStatusCommand.self, PublishEscalationAckCommand.self]
    )
}

/// Where to publish and as whom.
struct PublishTarget: ParsableArguments {
    @Option(name: .customLong("publish"), help: "The hub's confirmed publish endpoint (default: port 5563 of --hub).")
    var publishFlag: String?

    var publish: String { publishFlag ?? keys.profile.publish.value }

    @Flag(help: "Send to the hub's ingress without waiting for a confirmation (prints only the message id).")
    var noConfirm = false

    @Option(name: .customLong("ingress"), help: "The hub's ingress, with --no-confirm (default: port 5560 of --hub).")
    var ingressFlag: String?

    var ingress: String { ingressFlag ?? keys.profile.ingress.value }

    @Option(help: "Seconds to wait for the hub before giving up.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds to wait for the hub's acknowledgement once connected (rate-limited messages are sent again meanwhile).")
    var confirmTimeout: Double = 30

    @OptionGroup var keys: HubKeyOptions

    func validate() throws {
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be a positive number of seconds") }
        guard confirmTimeout > 0 else { throw ValidationError("--confirm-timeout must be a positive number of seconds") }
    }

    /// Sends the message and waits for the hub's confirmation; prints the sequence.
    func send(_ frames: [[UInt8]], id: UUID, referralID: UUID? = nil) async throws {
        guard !noConfirm else { return try await sendUnconfirmed(frames, id: id) }
        let outcome = try await ConfirmedSend(
            endpoint: publish, keys: try keys.load(), connectTimeout: .milliseconds(Int64(connectTimeout * 1000)),
            confirmTimeout: .milliseconds(Int64(confirmTimeout * 1000))
        ).send(frames, id: id)
        switch outcome {
        case .accepted(let acknowledgement):
            var line = "accepted seq=\(acknowledgement.seq ?? 0) message=\(id.uuidString.lowercased())"
            if let referralID { line += " referral=\(referralID.uuidString.lowercased())" }
            if acknowledgement.duplicate == true { line += " duplicate=true" }
            printLine(line)
        case .refused(let acknowledgement):
            printError("refused: \(acknowledgement.reason?.rawValue ?? "refused"): \(acknowledgement.message ?? "no reason given")")
            throw ExitCode(65)
        case .noHub:
            printError("error: no hub answered at \(publish) within \(connectTimeout) s (is the hub running with its publish endpoint there?)")
            throw ExitCode(69)
        case .unconfirmed(let last):
            let reason = last.map { ": last answer \($0.reason?.rawValue ?? "refused"): \($0.message ?? "")" } ?? ""
            printError("error: the hub at \(publish) did not confirm message \(id.uuidString.lowercased()) within \(confirmTimeout) s\(reason); it may be sent again with the same id")
            throw ExitCode(75)
        }
    }

    /// Sends frames once the hub has subscribed to this connection; prints the message id.
    private func sendUnconfirmed(_ frames: [[UInt8]], id: UUID) async throws {
        let (ingress, timeout, hubKeys) = (ingress, connectTimeout, try keys.load())
        try await SocketThread(name: "tansiq-pub").run { _ in
            let context = try Context()
            // An XPUB, not a PUB: the hub's subscription arriving tells us the connection is
            // up, so the message cannot be dropped as a PUB drops messages before it.
            let socket = try context.makeSocket(.xpub)
            defer { socket.close() }
            try socket.set(.linger(milliseconds: 5000))
            try socket.set(.receiveTimeout(milliseconds: Int32(timeout * 1000)))
            try hubKeys?.configureClient(socket)
            try socket.connect(ingress)
            guard let subscription = try socket.receive(), subscription.frames.first?.first == 0x01 else {
                throw CLIError("the hub at \(ingress) did not answer within \(timeout) s")
            }
            try socket.send(frames)
        }
        printLine(id.uuidString.lowercased())
    }
}

/// One message through confirmed publishing, waited for on a socket thread.
struct ConfirmedSend: Sendable {
    enum Outcome: Sendable {
        case accepted(PublishAcknowledgement)
        case refused(PublishAcknowledgement)
        case noHub
        /// Connected, but no final answer in time; the last retryable refusal, if any.
        case unconfirmed(PublishAcknowledgement?)
    }

    var endpoint: String
    var keys: HubClientKeys?
    var connectTimeout: Duration
    var confirmTimeout: Duration

    func send(_ frames: [[UInt8]], id: UUID) async throws -> Outcome {
        try await SocketThread(name: "tansiq-pub").run { [self] _ in
            let context = try Context()
            let publisher = try ConfirmedPublisher(
                context: context, endpoint: endpoint, keys: keys, ackTimeout: .seconds(2), window: 1,
                logger: Logger(label: "tansiq.pub", factory: { _ in SwiftLogNoOpLogHandler() }))
            defer { publisher.close() }
            guard frames.reduce(0, { $0 + $1.count }) <= publisher.maxMessageBytes else {
                return .refused(.refused(
                    messageId: id, hub: "-", reason: .tooLarge,
                    message: "message is \(frames.reduce(0) { $0 + $1.count }) bytes; the hub accepts at most \(publisher.maxMessageBytes)",
                    limits: PublishLimits(messagesPerSecond: nil, burst: nil, maxMessageBytes: publisher.maxMessageBytes)))
            }
            publisher.enqueue(id: id, frames: frames, correlationID: nil)
            let start = ContinuousClock.now
            var connectedAt: ContinuousClock.Instant?
            var poller = Poller()
            for socket in publisher.pollSockets { _ = poller.register(socket) }
            while true {
                try publisher.pump()
                if let (_, outcome) = try publisher.receiveAcknowledgements().first {
                    switch outcome {
                    case .accepted(let acknowledgement): return .accepted(acknowledgement)
                    case .refused(let acknowledgement): return .refused(acknowledgement)
                    }
                }
                let now = ContinuousClock.now
                if publisher.isConnected, connectedAt == nil { connectedAt = now }
                if let connectedAt {
                    if now - connectedAt > confirmTimeout { return .unconfirmed(publisher.lastRetryableRefusal) }
                } else if now - start > connectTimeout {
                    return .noHub
                }
                _ = try poller.poll(timeout: min(.milliseconds(100), publisher.nextWakeup() ?? .milliseconds(100)))
            }
        }
    }
}

/// An error a command reports to its user, with an exit status.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `tansiq pub file PATH|-`.
struct PublishFileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "Publish a message from a JSON file or standard input.",
        discussion: """
            The JSON object holds "topic", "body", and either a full "header" or the header \
            fields "type" and "source" (and optionally "agent", "correlationid", "causationid"); \
            a missing id and time are filled in. Example:
              {"topic":"service/health/health-delegation-agadir","type":"service.status",
               "source":"health-delegation-agadir","body":{…}}
            """
    )

    @Argument(help: "A JSON file, or - for standard input.")
    var path: String

    @OptionGroup var target: PublishTarget

    func run() async throws {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        let message: (frames: [[UInt8]], id: UUID, referralID: UUID?)
        do {
            message = try MessageFile.frames(from: data)
        } catch let error as ProtocolError {
            printError("error: invalid message: \(error)")
            throw ExitCode(65)
        }
        try await target.send(message.frames, id: message.id, referralID: message.referralID)
    }
}

/// Turns the JSON of `tansiq pub file` into validated frames.
enum MessageFile {
    static func frames(from data: Data) throws -> ([[UInt8]], UUID, UUID?) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ProtocolError(.invalidJSON, "the input is not a JSON object", keyPath: nil)
        }
        guard let topic = object["topic"] as? String else {
            throw ProtocolError(.missingField, "\"topic\" (a string) is required", keyPath: "topic")
        }
        guard let body = object["body"] as? [String: Any] else {
            throw ProtocolError(.missingField, "\"body\" (an object) is required", keyPath: "body")
        }
        var header = object["header"] as? [String: Any] ?? [:]
        for key in ["type", "source", "agent", "correlationid", "causationid", "id", "time"] where header[key] == nil {
            header[key] = object[key]
        }
        if header["specversion"] == nil { header["specversion"] = ProtocolVersion.current.description }
        if header["id"] == nil { header["id"] = UUID().uuidString.lowercased() }
        if header["time"] == nil { header["time"] = RFC3339.string(from: Date()) }
        if header["agent"] == nil, let source = header["source"] as? String { header["agent"] = "\(source)-cli" }
        let frames = [
            Array(topic.utf8),
            try json(header),
            try json(body),
        ]
        let (envelope, _) = try MessageCodec.decode(frames)
        guard case .referral(let referral) = envelope.payload else { return (frames, envelope.header.id, nil) }
        return (frames, envelope.header.id, referral.referralId)
    }

    private static func json(_ object: [String: Any]) throws -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            throw ProtocolError(.invalidJSON, "cannot encode: \(error.localizedDescription)", keyPath: nil)
        }
    }
}

/// ISO 8601 with milliseconds, as the protocol writes times.
enum RFC3339 {
    static func string(from date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
            .replacingOccurrences(of: "+0000", with: "Z")
    }
}
