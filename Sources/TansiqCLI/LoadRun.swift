import Foundation
import Histogram
import Logging
import Synchronization
import TansiqAgent
import TansiqHub
import TansiqVault
import TansiqMessages
import ZeroMQ

/// One load measurement: publishers and subscribers on their own threads, through a hub or a
/// plain proxy on tcp loopback.
enum LoadRun {
    struct Parameters: Sendable {
        var publishers: Int
        var subscribers: Int
        var messages: Int
        var size: Int
        var rate: Int
    }

    struct Result: Encodable, Sendable {
        var target: String
        var publishers: Int
        var subscribers: Int
        var messagesPerPublisher: Int
        var messageBytes: Int
        var received: Int
        var expected: Int
        var seconds: Double
        var receivedPerSecond: Double
        var p50Microseconds: Double
        var p90Microseconds: Double
        var p99Microseconds: Double
        var maxMicroseconds: Double
        /// Confirmed publishing: from the first send of a message to its acknowledgement.
        var ackP50Microseconds: Double?
        var ackP99Microseconds: Double?

        var lost: Int { expected - received }

        /// One result per configuration: the medians of its rounds (`rounds[r][c]`), losses summed.
        static func medians(of rounds: [[Result]]) -> [Result] {
            rounds[0].indices.map { index in
                let runs = rounds.map { $0[index] }
                var result = runs[0]
                func median(_ value: (Result) -> Double) -> Double { LoadRun.median(runs.map(value)) }
                result.received = runs.reduce(0) { $0 + $1.received }
                result.expected = runs.reduce(0) { $0 + $1.expected }
                result.seconds = runs.reduce(0) { $0 + $1.seconds }
                result.receivedPerSecond = median(\.receivedPerSecond)
                result.p50Microseconds = median(\.p50Microseconds)
                result.p90Microseconds = median(\.p90Microseconds)
                result.p99Microseconds = median(\.p99Microseconds)
                result.maxMicroseconds = runs.map(\.maxMicroseconds).max() ?? 0
                if result.ackP50Microseconds != nil {
                    result.ackP50Microseconds = median { $0.ackP50Microseconds ?? 0 }
                    result.ackP99Microseconds = median { $0.ackP99Microseconds ?? 0 }
                }
                return result
            }
        }

        var row: String {
            target.padding(toLength: 15, withPad: " ", startingAt: 0)
                + String(publishers).leftPadded(5) + String(subscribers).leftPadded(5)
                + String(messagesPerPublisher).leftPadded(10) + String(messageBytes).leftPadded(7)
                + String(format: "%12.0f", receivedPerSecond)
                + String(format: "%9.0f%9.0f%9.0f%9.0f", p50Microseconds, p90Microseconds, p99Microseconds, maxMicroseconds)
                + String(lost).leftPadded(6)
                + (ackP50Microseconds.map { String(format: "  ack p50 %.0f µs, p99 %.0f µs", $0, ackP99Microseconds ?? 0) } ?? "")
        }
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count.isMultiple(of: 2) ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
    }

    /// How far the threads of one run have got.
    private final class Progress: Sendable {
        let subscribersReady = Atomic<Int>(0)
        let publishersDone = Atomic<Int>(0)
    }

    private static let highWaterMark: Int32 = 1_000_000
    private static let probeTopic = "presence/bench/probe"

    /// Runs the load through a hub; with `journal`, the hub stores every message in a new
    /// journal file of that durability in a temporary directory, removed afterwards.
    static func throughHub(
        _ parameters: Parameters,
        bodyValidation: HubConfiguration.BodyValidation,
        journal durability: JournalDurability? = nil,
        sealed: Bool = false,
        confirmed: Bool = false,
        window: Int = 1000
    ) async throws -> Result {
        var logger = Logger(label: "tansiq.bench.hub")
        logger.logLevel = .error
        var directory: URL?
        defer { if let directory { try? FileManager.default.removeItem(at: directory) } }
        var journal: JournalConfiguration?
        if let durability {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
            directory = temporary
            journal = JournalConfiguration(
                path: temporary.appendingPathComponent("journal.sqlite").path, durability: durability,
                masterKey: sealed ? MasterKey.generate() : nil)
        }
        let hub = try Hub(
            configuration: HubConfiguration(
                hubID: "bench-hub", ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*",
                statisticsInterval: .seconds(3600), highWaterMark: highWaterMark, bodyValidation: bodyValidation,
                journal: journal, replay: "tcp://127.0.0.1:*",
                // A benchmark of forwarding: no CURVE, and no rate limit to stop the flood it measures.
                security: .insecure, rateLimit: nil, publish: "tcp://127.0.0.1:*"
            ),
            logger: logger
        )
        let task = Task { try await hub.run() }
        defer { task.cancel() }
        let endpoints = try await hub.endpoints()
        let target = (bodyValidation == .full ? "hub" : "hub-header") + (durability.map { "+" + $0.rawValue } ?? "") + (sealed ? "+sealed" : "")
            + (confirmed ? "+conf" : "")
        let result = try await measure(
            parameters, ingress: endpoints.ingress, egress: endpoints.egress, target: target,
            confirmed: confirmed ? endpoints.publish.map { ($0, window) } : nil)
        task.cancel()
        try await task.value
        return result
    }

    static func throughProxy(_ parameters: Parameters) async throws -> Result {
        let context = try Context()
        let bound = StartupSignal<(String, String)>()
        let proxyTask = Task {
            try await SocketThread(name: "tansiq-bench-proxy").run { _ in
                let frontend = try context.makeSocket(.xsub)
                let backend = try context.makeSocket(.xpub)
                defer {
                    frontend.close()
                    backend.close()
                }
                do {
                    try frontend.set(.receiveHighWaterMark(highWaterMark))
                    try backend.set(.sendHighWaterMark(highWaterMark))
                    try frontend.bind("tcp://127.0.0.1:*")
                    try backend.bind("tcp://127.0.0.1:*")
                    bound.succeed((try frontend.lastEndpoint(), try backend.lastEndpoint()))
                } catch {
                    bound.fail(error)
                    throw error
                }
                do {
                    try ZeroMQ.proxy(frontend: frontend, backend: backend)
                } catch let error as ZMQError where error.isTerminated {
                    return
                }
            }
        }
        let (ingress, egress) = try await bound.wait()
        let result = try await measure(parameters, ingress: ingress, egress: egress, target: "zmq_proxy")
        context.shutdown()
        try await proxyTask.value
        return result
    }

    // MARK: The measurement

    private static func measure(
        _ parameters: Parameters, ingress: String, egress: String, target: String, confirmed: (endpoint: String, window: Int)? = nil
    ) async throws -> Result {
        // Confirmed: every message has its own id (the hub would acknowledge a repeated id as a re-send).
        let pools = try (0..<parameters.publishers).map {
            try messagePool(publisher: $0, size: parameters.size, count: confirmed == nil ? 256 : parameters.messages)
        }
        let messageBytes = pools[0][0].reduce(0) { $0 + $1.count }
        let expected = parameters.publishers * parameters.messages
        let start = ContinuousClock.now
        let progress = Progress()
        let allReady = StartupSignal<Void>()

        let subscriberTasks = (0..<parameters.subscribers).map { index in
            Task {
                try await SocketThread(name: "tansiq-bench-sub-\(index)").run { _ in
                    try subscribe(
                        egress: egress, parameters: parameters, start: start,
                        ready: {
                            if progress.subscribersReady.add(1, ordering: .acquiringAndReleasing).newValue == parameters.subscribers {
                                allReady.succeed(())
                            }
                        },
                        publishersDone: { progress.publishersDone.load(ordering: .acquiring) == parameters.publishers }
                    )
                }
            }
        }
        try await probe(ingress: ingress, until: { progress.subscribersReady.load(ordering: .acquiring) == parameters.subscribers })
        try await allReady.wait()

        let publisherTasks = pools.enumerated().map { index, pool in
            Task {
                defer { progress.publishersDone.add(1, ordering: .acquiringAndReleasing) }
                return try await SocketThread(name: "tansiq-bench-pub-\(index)").run { _ in
                    if let confirmed {
                        return try publishConfirmed(pool: pool, endpoint: confirmed.endpoint, window: confirmed.window, parameters: parameters, start: start)
                    }
                    return (try publish(pool: pool, ingress: ingress, parameters: parameters, start: start), [UInt64]())
                }
            }
        }
        var sendTimes: [[UInt64]] = []
        var acknowledgements = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for task in publisherTasks {
            let (times, ackLatencies) = try await task.value
            sendTimes.append(times)
            for latency in ackLatencies { acknowledgements.record(latency / 1000) }
        }
        var receipts: [[[UInt64]]] = []
        for task in subscriberTasks { receipts.append(try await task.value) }

        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var received = 0
        var firstSend = UInt64.max
        var lastReceipt: UInt64 = 0
        for times in sendTimes { if let first = times.first { firstSend = min(firstSend, first) } }
        for perPublisher in receipts {
            for (publisher, times) in perPublisher.enumerated() {
                received += times.count
                if let last = times.last { lastReceipt = max(lastReceipt, last) }
                // Receipts line up with sends only when nothing was dropped in between.
                guard times.count == sendTimes[publisher].count else { continue }
                for (sent, got) in zip(sendTimes[publisher], times) {
                    histogram.record(got > sent ? (got - sent) / 1000 : 0)
                }
            }
        }
        let seconds = Double(lastReceipt &- firstSend) / 1e9
        return Result(
            target: target,
            publishers: parameters.publishers,
            subscribers: parameters.subscribers,
            messagesPerPublisher: parameters.messages,
            messageBytes: messageBytes,
            received: received,
            expected: expected * parameters.subscribers,
            seconds: seconds,
            receivedPerSecond: seconds > 0 ? Double(received) / seconds : 0,
            p50Microseconds: Double(histogram.valueAtPercentile(50)),
            p90Microseconds: Double(histogram.valueAtPercentile(90)),
            p99Microseconds: Double(histogram.valueAtPercentile(99)),
            maxMicroseconds: Double(histogram.max),
            ackP50Microseconds: confirmed == nil ? nil : Double(acknowledgements.valueAtPercentile(50)),
            ackP99Microseconds: confirmed == nil ? nil : Double(acknowledgements.valueAtPercentile(99))
        )
    }

    /// Publishes every message of `pool` confirmed, `window` unacknowledged at most; returns the
    /// first-send times in order and each message's time to its acknowledgement, in nanoseconds.
    private static func publishConfirmed(
        pool: [[[UInt8]]], endpoint: String, window: Int, parameters: Parameters, start: ContinuousClock.Instant
    ) throws -> ([UInt64], [UInt64]) {
        let context = try Context()
        let publisher = try ConfirmedPublisher(
            context: context, endpoint: endpoint, window: window, logger: Logger(label: "tansiq.bench.pub", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { publisher.close() }
        let messages = Array(pool.prefix(parameters.messages))
        var queued = 0
        /// With --rate, messages are queued as their time comes; otherwise all at once.
        func queueDue(_ now: ContinuousClock.Instant) throws {
            let due = parameters.rate > 0
                ? min(messages.count, Int(Double(parameters.rate) * Double((now - startedAt).components.seconds) + Double(parameters.rate) * Double((now - startedAt).components.attoseconds) / 1e18) + 1)
                : messages.count
            while queued < due {
                let frames = messages[queued]
                let id = try frames[1].withUnsafeBytes { bytes throws(ProtocolError) in try MessageCodec.decodeHeader(bytes: bytes) }.id
                publisher.enqueue(id: id, frames: frames, correlationID: nil)
                queued += 1
            }
        }
        let startedAt = ContinuousClock.now
        try queueDue(startedAt)
        var poller = Poller()
        for socket in publisher.pollSockets { _ = poller.register(socket) }
        var firstSends: [UInt64] = []
        var latencies: [UInt64] = []
        latencies.reserveCapacity(parameters.messages)
        let deadline = ContinuousClock.now.advanced(by: .seconds(600))
        while publisher.pendingCount > 0 || queued < messages.count, ContinuousClock.now < deadline {
            try queueDue(ContinuousClock.now)
            try publisher.pump()
            for (message, _) in try publisher.receiveAcknowledgements() {
                guard let sent = message.firstSentAt else { continue }
                firstSends.append(UInt64(max(0, Double((sent - start).components.seconds) * 1e9 + Double((sent - start).components.attoseconds) / 1e9)))
                let (seconds, attoseconds) = (ContinuousClock.now - sent).components
                latencies.append(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
            }
            let pace: Duration = parameters.rate > 0 ? .microseconds(max(1, 1_000_000 / Int64(parameters.rate))) : .milliseconds(10)
            _ = try poller.poll(timeout: min(pace, publisher.nextWakeup() ?? pace))
        }
        // Acknowledgements come in send order on one connection; first sends are the send times.
        return (firstSends.sorted(), latencies)
    }

    /// 256 distinct valid referrals from one publisher, their note padded towards `size`.
    private static func messagePool(publisher: Int, size: Int, count: Int = 256) throws -> [[[UInt8]]] {
        let sink = "bench-sink-\(publisher)"
        func frames(note: String?) throws -> [[UInt8]] {
            let now = Date()
            let referral = Referral(
                referralId: UUID(),
                caseReference: "BCH-\(publisher)",
                referringAgency: "bench-source-\(publisher)",
                referringWorker: "caseworker-1",
                receivingAgency: sink,
                category: .health,
                priority: .routine,
                reasonCodes: [.medicalConsultation],
                note: note,
                consent: Referral.Consent(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-1", recordedAt: now),
                acknowledgeBy: now.addingTimeInterval(3600),
                decideBy: now.addingTimeInterval(7200),
                followUpOn: now.addingTimeInterval(86_400)
            )
            return try MessageCodec.encode(Envelope(
                topic: try Topic.referral(to: sink, category: .health),
                source: "bench-source-\(publisher)", agent: "bench-\(publisher)",
                payload: .referral(referral), correlationID: referral.referralId
            ))
        }
        let base = try frames(note: nil).reduce(0) { $0 + $1.count }
        let padding = max(0, min(280, size - base - 10))
        let note = padding > 0 ? String(repeating: "x", count: padding) : nil
        return try (0..<count).map { _ in try frames(note: note) }
    }

    /// Sends presence probes until every subscriber has seen one: then their subscriptions are live.
    private static func probe(ingress: String, until done: @escaping @Sendable () -> Bool) async throws {
        try await SocketThread(name: "tansiq-bench-probe").run { _ in
            let context = try Context()
            let socket = try context.makeSocket(.xpub)
            defer { socket.close() }
            try socket.set(.linger(milliseconds: 0))
            try socket.set(.receiveTimeout(milliseconds: 10_000))
            try socket.connect(ingress)
            guard try socket.receive() != nil else { throw CLIError("the target never subscribed to the prober") }
            let presence = Presence(agency: "bench", agent: "probe", role: .cli, version: "bench", uptimeSeconds: 0, heartbeatInterval: 1)
            let frames = try MessageCodec.encode(Envelope(topic: try Topic(probeTopic), source: "bench", agent: "probe", payload: .presence(presence)))
            for _ in 0..<1000 where !done() {
                try socket.send(frames)
                var poller = Poller()
                _ = poller.register(socket)
                _ = try poller.poll(timeout: .milliseconds(10))
                while try socket.receive(dontWait: true) != nil {}
            }
            guard done() else { throw CLIError("subscribers never saw a probe") }
        }
    }

    private static func publish(pool: [[[UInt8]]], ingress: String, parameters: Parameters, start: ContinuousClock.Instant) throws -> [UInt64] {
        let context = try Context()
        let socket = try context.makeSocket(.xpub)
        defer { socket.close() }
        try socket.set(.sendHighWaterMark(100_000))
        try socket.set(.xpubNoDrop(true))
        try socket.set(.linger(milliseconds: 10_000))
        try socket.set(.receiveTimeout(milliseconds: 10_000))
        try socket.connect(ingress)
        guard try socket.receive() != nil else { throw CLIError("the target never subscribed to the publisher") }
        var times: [UInt64] = []
        times.reserveCapacity(parameters.messages)
        let interval: Duration? = parameters.rate > 0 ? .nanoseconds(1_000_000_000 / Int64(parameters.rate)) : nil
        let first = ContinuousClock.now
        for index in 0..<parameters.messages {
            if let interval {
                let due = first.advanced(by: interval * index)
                let wait = due - ContinuousClock.now
                if wait > .zero {
                    Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
                }
            }
            times.append(nanoseconds(since: start))
            try socket.send(pool[index & 255])
        }
        return times
    }

    private static func subscribe(
        egress: String,
        parameters: Parameters,
        start: ContinuousClock.Instant,
        ready: () -> Void,
        publishersDone: () -> Bool
    ) throws -> [[UInt64]] {
        let context = try Context()
        let socket = try context.makeSocket(.sub)
        defer { socket.close() }
        try socket.set(.receiveHighWaterMark(highWaterMark))
        try socket.set(.subscribe(Array("referral/to/bench-sink-".utf8)))
        try socket.set(.subscribe(Array(probeTopic.utf8)))
        try socket.connect(egress)
        var receipts = [[UInt64]](repeating: [], count: parameters.publishers)
        for index in receipts.indices { receipts[index].reserveCapacity(parameters.messages) }
        let expected = parameters.publishers * parameters.messages
        var received = 0
        var isReady = false
        var poller = Poller()
        _ = poller.register(socket)
        var idleSince: ContinuousClock.Instant?
        let prefix = Array("referral/to/bench-sink-".utf8)
        while received < expected {
            guard try poller.poll(timeout: .milliseconds(100))[0].contains(.readable) else {
                // Stop once the publishers are done and nothing has come for ten seconds (a
                // journaling hub may wait that long on an fsync of a busy disk).
                if publishersDone() {
                    let now = ContinuousClock.now
                    if let since = idleSince, now - since > .seconds(10) { break }
                    if idleSince == nil { idleSince = now }
                }
                continue
            }
            idleSince = nil
            while let message = try socket.receive(dontWait: true) {
                let topic = message.frames[0]
                guard topic.starts(with: prefix) else {
                    if !isReady { isReady = true; ready() }
                    continue
                }
                var publisher = 0
                for byte in topic.dropFirst(prefix.count) {
                    guard byte >= 0x30, byte <= 0x39 else { break }
                    publisher = publisher * 10 + Int(byte - 0x30)
                }
                guard publisher < receipts.count else { continue }
                receipts[publisher].append(nanoseconds(since: start))
                received += 1
            }
        }
        return receipts
    }

    private static func nanoseconds(since start: ContinuousClock.Instant) -> UInt64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
