import Dispatch
import Foundation
import Synchronization
import TansiqMessages
import ZeroMQ

/// A hub small enough to read in a test, for the agent side of replay before the real hub
/// journals: it stamps and forwards every message, keeps them all in memory, and answers the
/// replay endpoint as the replay contract says (pages, `more`, `headSequence`,
/// `sequence-in-future`). It can hold messages back from its egress, to make a gap.
final class JournalingHub: Sendable {
    static let id = "test-hub"

    let ingress: String
    let egress: String
    let replay: String
    private let context: Context
    private let shared = Shared()
    private let injector: Mutex<Socket>
    private let injected: Socket
    private let running = Mutex<Run?>(nil)

    private final class Shared: Sendable {
        let ticks: AsyncStream<UInt64>
        let tick: AsyncStream<UInt64>.Continuation
        let markers = Atomic<UInt64>(1)
        init() { (ticks, tick) = AsyncStream.makeStream(of: UInt64.self) }
        let state = Mutex(State())
    }

    /// One run of the hub's thread, from start to stop.
    private final class Run: Sendable {
        let stopRequested = Atomic<Bool>(false)
        let finished: AsyncStream<Void>
        let done: AsyncStream<Void>.Continuation
        init() { (finished, done) = AsyncStream.makeStream(of: Void.self) }
    }

    private struct State {
        var journal: [(frames: [[UInt8]], stamp: HubStamp)] = []
        var topicSequences: [String: UInt64] = [:]
        var withheld = 0
        var withhold: (@Sendable (Envelope) -> Bool)?
    }

    private final class RunSockets: @unchecked Sendable {
        var sockets: Sockets?
    }

    private struct Sockets: @unchecked Sendable {
        let ingress: Socket, egress: Socket, router: Socket, injected: Socket
    }

    init() throws {
        context = try Context()
        injected = try context.makeSocket(.pull)
        let name = "inproc://journaling-hub-\(UUID().uuidString)"
        try injected.bind(name)
        let injector = try context.makeSocket(.push)
        try injector.connect(name)
        self.injector = Mutex(injector)
        (ingress, egress, replay) = try Self.launch(
            ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", replay: "tcp://127.0.0.1:*",
            context: context, injected: injected, shared: shared, running: running)
    }

    /// Stops the hub and starts it again on the same endpoints with the same journal: its
    /// subscribers lose their connection and reconnect.
    func restart() async throws {
        await halt()
        _ = try Self.launch(ingress: ingress, egress: egress, replay: replay, context: context, injected: injected, shared: shared, running: running)
    }

    private static func launch(
        ingress: String, egress: String, replay: String, context: Context, injected: Socket, shared: Shared, running: borrowing Mutex<Run?>
    ) throws -> (String, String, String) {
        // Each run has its own context: terminating it when the run ends waits until the
        // listeners are closed, so that a restart can bind the same ports again.
        let box = RunSockets()
        let runContext = try Context()
        let ingressSocket = try runContext.makeSocket(.sub)
        let egressSocket = try runContext.makeSocket(.pub)
        let router = try runContext.makeSocket(.router)
        for socket in [ingressSocket, egressSocket, router] { try socket.set(.linger(milliseconds: 0)) }
        try ingressSocket.set(.subscribe([]))
        try ingressSocket.bind(ingress)
        try egressSocket.bind(egress)
        try router.bind(replay)
        let bound = (try ingressSocket.lastEndpoint(), try egressSocket.lastEndpoint(), try router.lastEndpoint())
        box.sockets = Sockets(ingress: ingressSocket, egress: egressSocket, router: router, injected: injected)
        let run = Run()
        running.withLock { $0 = run }
        // A thread of its own, started here: tests that block the cooperative pool (a
        // synchronous replay) must not keep the hub from running.
        let thread = Thread {
            serve(box, run: run, shared: shared)
            // serve's references are gone: the run's context has terminated, its listeners closed.
            run.done.finish()
        }
        thread.start()
        return bound
    }

    private static func serve(_ box: RunSockets, run: Run, shared: Shared) {
        guard let sockets = box.sockets else { return }
        box.sockets = nil
        defer { [sockets.ingress, sockets.egress, sockets.router].forEach { $0.close() } }
        do {
            var poller = Poller()
            let inputs = [poller.register(sockets.ingress), poller.register(sockets.injected)]
            let replays = poller.register(sockets.router)
            while !run.stopRequested.load(ordering: .acquiring) {
                let ready = try poller.poll(timeout: .milliseconds(20))
                for (index, socket) in zip(inputs, [sockets.ingress, sockets.injected]) where ready[index].contains(.readable) {
                    while let message = try socket.receive(dontWait: true) {
                        forward(message.frames, shared: shared, egress: sockets.egress)
                    }
                }
                if ready[replays].contains(.readable) {
                    while let message = try sockets.router.receive(dontWait: true) {
                        try answer(message.frames, shared: shared, router: sockets.router)
                    }
                }
            }
        } catch {
            print("journaling hub stopped: \(error)")
        }
    }

    private func halt() async {
        guard let run = running.withLock({ $0 }) else { return }
        run.stopRequested.store(true, ordering: .releasing)
        for await _ in run.finished {}
    }

    /// Publishes a message as if an agent had (stamped, journaled, forwarded).
    func inject(_ envelope: Envelope) throws {
        let frames = try MessageCodec.encode(envelope)
        try injector.withLock { _ = try $0.send(frames) }
    }

    /// The next `count` messages that satisfy `predicate` are journaled but not forwarded.
    func withhold(_ count: Int, where predicate: @escaping @Sendable (Envelope) -> Bool) {
        shared.state.withLock {
            $0.withheld = count
            $0.withhold = predicate
        }
    }

    /// Every message journaled, in order.
    var messages: [(envelope: Envelope, stamp: HubStamp)] {
        shared.state.withLock { $0.journal }.compactMap { entry in
            (try? MessageCodec.decode(entry.frames)).map { ($0.envelope, entry.stamp) }
        }
    }

    /// Waits until the journal satisfies `condition`, or `timeout` seconds pass; one waiter at a time.
    func wait(timeout: Double, until condition: ([(envelope: Envelope, stamp: HubStamp)]) -> Bool) async -> Bool {
        if condition(messages) { return true }
        let marker = shared.markers.add(1, ordering: .relaxed).newValue
        let tick = shared.tick
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { tick.yield(marker) }
        for await value in shared.ticks {
            if condition(messages) { return true }
            if value == marker { break }
        }
        return condition(messages)
    }

    func stop() async {
        await halt()
        injected.close()
        injector.withLock { $0.close() }
        context.shutdown()
    }

    private static func forward(_ frames: [[UInt8]], shared: Shared, egress: Socket) {
        guard let envelope = try? MessageCodec.decode(frames).envelope, frames.count == 3 else { return }
        let (stamp, forwarded): (HubStamp, Bool) = shared.state.withLock { state in
            let topic = envelope.topic.description
            let topicSeq = state.topicSequences[topic, default: 0] + 1
            state.topicSequences[topic] = topicSeq
            let stamp = HubStamp(hub: id, seq: UInt64(state.journal.count + 1), topicSeq: topicSeq)
            state.journal.append((frames, stamp))
            if state.withheld > 0, state.withhold?(envelope) == true {
                state.withheld -= 1
                return (stamp, false)
            }
            return (stamp, true)
        }
        if forwarded { _ = try? egress.send(frames + [MessageCodec.encodeStamp(stamp)]) }
        shared.tick.yield(0)
    }

    private static func answer(_ frames: [[UInt8]], shared: Shared, router: Socket) throws {
        guard frames.count == 4, let routing = frames.first,
              case .replayRequest(let request)? = try? MessageCodec.decode(Array(frames.dropFirst())).envelope.payload,
              let agency = (try? Topic(bytes: frames[1]))?.agency
        else { return }
        let (page, head, more) = shared.state.withLock { state -> ([(frames: [[UInt8]], stamp: HubStamp)], UInt64, Bool) in
            let head = UInt64(state.journal.count)
            guard request.afterSequence <= head else { return ([], head, false) }
            let limit = Int(request.limit ?? 500)
            let matching = state.journal.dropFirst(Int(request.afterSequence)).lazy.filter { entry in
                let topic = String(decoding: entry.frames[0], as: UTF8.self)
                return request.prefixes.contains { topic.hasPrefix($0) }
            }
            let page = Array(matching.prefix(limit + 1))
            return (Array(page.prefix(limit)), head, page.count > limit)
        }
        var end = ReplayEnd(lastSequence: page.last?.stamp.seq ?? request.afterSequence, count: UInt64(page.count), more: more, headSequence: head)
        if request.afterSequence > head {
            end.error = .init(code: "sequence-in-future", message: "sequence \(request.afterSequence) is after the head \(head)")
        }
        for entry in page {
            _ = try router.send([routing] + entry.frames + [MessageCodec.encodeStamp(entry.stamp)])
        }
        let marker = Envelope(topic: try Topic.replayEnd(agency: agency), source: id, agent: "hub", payload: .replayEnd(end))
        _ = try router.send([routing] + (try MessageCodec.encode(marker)))
    }
}
