import ArgumentParser
import Foundation
import TansiqMessages
import ZeroMQ

/// `tansiq pub`: validate a typed message and send it to a hub's ingress.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pub",
        abstract: "Validate a typed message and publish it to the hub.",
        discussion: """
            The message is checked with the same codec the hub uses before it leaves; an invalid \
            one is refused here with the key path and the reason (exit status 65). The command \
            waits until the hub has subscribed to this connection, so nothing is dropped.
            """,
        subcommands: [PublishFileCommand.self, PublishReferralCommand.self, PublishStatusCommand.self]
    )
}

/// Where to publish and as whom.
struct PublishTarget: ParsableArguments {
    @Option(help: "The hub's ingress.")
    var ingress = "tcp://127.0.0.1:5560"

    @Option(help: "Seconds to wait for the hub before giving up.")
    var connectTimeout: Double = 10

    @OptionGroup var keys: HubKeyOptions

    /// Sends frames once the hub has subscribed to this connection; prints the message id.
    func send(_ frames: [[UInt8]], id: UUID) async throws {
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
        let message: (frames: [[UInt8]], id: UUID)
        do {
            message = try MessageFile.frames(from: data)
        } catch let error as ProtocolError {
            printError("error: invalid message: \(error)")
            throw ExitCode(65)
        }
        try await target.send(message.frames, id: message.id)
    }
}

/// Turns the JSON of `tansiq pub file` into validated frames.
enum MessageFile {
    static func frames(from data: Data) throws -> ([[UInt8]], UUID) {
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
        return (frames, envelope.header.id)
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
