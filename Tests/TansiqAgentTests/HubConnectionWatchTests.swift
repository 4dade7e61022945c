import TansiqAgent
import Testing
import ZeroMQ

@Suite("The watch on a client's connection to its hub")
struct HubConnectionWatchTests {
    /// An agent asks for the connection's problem every round and reads the events only when the
    /// monitor is readable: asking must not swallow the reconnection the agent waits for to catch up.
    @Test func askingForTheProblemLeavesEveryEventToTheReader() throws {
        let context = try Context()
        defer { context.shutdown() }
        let hub = try context.makeSocket(.pub)
        defer { hub.close() }
        try hub.bind("tcp://127.0.0.1:*")
        let endpoint = try hub.lastEndpoint()
        let client = try context.makeSocket(.sub)
        defer { client.close() }
        let watch = try HubConnectionWatch(socket: client, context: context, endpoint: endpoint, keys: nil)
        defer { watch.close() }
        try client.connect(endpoint)

        var poller = Poller()
        _ = poller.register(watch.socket)
        var kinds: [MonitorEvent] = []
        while !kinds.contains(where: { $0.kind.contains(.handshakeSucceeded) }) {
            let ready = try poller.poll(timeout: .seconds(10))
            try #require(ready[0].contains(.readable), "no connection event within 10 s")
            _ = watch.problem(after: .zero)
            try watch.update { kinds.append($0) }
        }
        #expect(kinds.contains { $0.kind.contains(.connected) })
        #expect(watch.isConnected)
        #expect(watch.problem(after: .zero) == nil)
    }
}
