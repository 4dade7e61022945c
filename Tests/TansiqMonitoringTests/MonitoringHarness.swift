import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Synchronization
import TansiqHub
import TansiqMessages
import TansiqMonitoring
import Testing
import ZeroMQ

/// A journaled insecure hub and its HTTP listener on loopback ports chosen by the system.
struct MonitoredHub {
    let hub: Hub
    let endpoints: HubEndpoints
    let http: URL
    let journalPath: String

    /// GETs `path`; returns the status and the body.
    func get(_ path: String) async throws -> (status: Int, body: Data) {
        let (data, response) = try await URLSession.shared.data(from: http.appendingPathComponent(path))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

/// Runs `body` with a monitored hub whose journal is in a new temporary directory.
func withMonitoredHub<Result>(
    statisticsInterval: Duration = .seconds(5),
    logger: Logger? = nil,
    _ body: (MonitoredHub) async throws -> Result
) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-monitoring-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let journalPath = directory.appendingPathComponent("journal.sqlite").path
    var configuration = HubConfiguration(
        ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", statisticsInterval: statisticsInterval,
        journal: JournalConfiguration(path: journalPath), replay: "tcp://127.0.0.1:*", security: .insecure)
    configuration.http = "127.0.0.1:0"
    var quiet = Logger(label: "test.monitoring")
    quiet.logLevel = .error
    let metrics = HubMetrics()
    let hub = try Hub(configuration: configuration, observer: metrics, logger: logger ?? quiet)
    var silent = quiet
    silent.logLevel = .critical  // cancelled, not shut down gracefully: Hummingbird complains
    let listener = try HubHTTPService(hub: hub, metrics: metrics, address: "127.0.0.1:0", logger: silent)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await hub.run() }
        group.addTask { try await listener.run() }
        defer { group.cancelAll() }
        let endpoints = try await hub.endpoints()
        let port = try await listener.boundPort()
        let monitored = MonitoredHub(
            hub: hub, endpoints: endpoints, http: URL(string: "http://127.0.0.1:\(port)")!, journalPath: journalPath)
        let result = try await body(monitored)
        group.cancelAll()
        return result
    }
}

/// A publisher and a subscriber of the hub; the subscriber's prefixes are proven live by a
/// probe that comes back through the hub.
final class TrafficClient {
    let context: Context
    let publisher: Socket
    let subscriber: Socket
    private let probeTopic = "presence/probe/p\(UInt32.random(in: 0...UInt32.max))"

    init(_ endpoints: HubEndpoints, prefixes: [String]) throws {
        context = try Context()
        publisher = try context.makeSocket(.xpub)
        subscriber = try context.makeSocket(.sub)
        try subscriber.set(.receiveTimeout(milliseconds: 5000))
        try publisher.set(.receiveTimeout(milliseconds: 5000))
        for prefix in prefixes + [probeTopic] { try subscriber.set(.subscribe(Array(prefix.utf8))) }
        try subscriber.connect(endpoints.egress)
        try publisher.connect(endpoints.ingress)
        _ = try #require(try publisher.receive(), "the hub never subscribed to the publisher")
        for _ in 0..<50 {
            try publisher.send(try probe())
            try subscriber.set(.receiveTimeout(milliseconds: 100))
            defer { try? subscriber.set(.receiveTimeout(milliseconds: 5000)) }
            if let message = try subscriber.receive(), String(decoding: message.frames[0], as: UTF8.self) == probeTopic { return }
        }
        Issue.record("the probe never came back through the hub")
    }

    private func probe() throws -> [[UInt8]] {
        let agent = String(probeTopic.split(separator: "/")[2])
        let presence = Presence(agency: "probe", agent: agent, role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 10)
        return try MessageCodec.encode(
            Envelope(topic: try Topic(probeTopic), source: "probe", agent: agent, payload: .presence(presence)))
    }

    /// The next message that is not a probe, or nil after the receive timeout.
    func next() throws -> Multipart? {
        while let message = try subscriber.receive() {
            if String(decoding: message.frames[0], as: UTF8.self) != probeTopic { return message }
        }
        return nil
    }

    deinit {
        publisher.close()
        subscriber.close()
    }
}

enum Sample {
    static let referrer = "iom-morocco"
    static let receiver = "health-delegation-agadir"

    static func referralFrames() throws -> [[UInt8]] {
        let now = Date()
        let referral = Referral(
            referralId: UUID(), caseReference: "AGA-2026-0042", referringAgency: referrer, referringWorker: "caseworker-3",
            receivingAgency: receiver, category: .health, priority: .urgent, reasonCodes: [.medicalConsultation], note: nil,
            consent: Referral.Consent(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-3", recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(3600), decideBy: now.addingTimeInterval(7200), followUpOn: now.addingTimeInterval(86_400))
        return try MessageCodec.encode(Envelope(
            topic: try Topic.referral(to: receiver, category: .health), source: referrer, agent: "iom-morocco-1",
            payload: .referral(referral), correlationID: referral.referralId))
    }
}

/// A log handler that tells a waiting test when a message it expects is logged.
struct LogWatcher: LogHandler {
    let seen: AsyncStream<String>.Continuation
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        seen.yield(message.description)
    }

    /// A logger whose warnings and errors arrive on the returned stream.
    static func make() -> (Logger, AsyncStream<String>) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        return (Logger(label: "test.watched") { _ in LogWatcher(seen: continuation) }, stream)
    }
}

/// Runs `promtool check metrics` on `text`; returns its exit status and what it printed.
func promtoolCheck(_ text: Data) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["promtool", "check", "metrics"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    input.fileHandleForWriting.write(text)
    try input.fileHandleForWriting.close()
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: printed, as: UTF8.self))
}

/// The value of the sample `name{labels}` (exact text up to the value) in an exposition.
func sample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}
