import Foundation
import Logging
import TansiqAgent
import TansiqMessages
import Testing

@Suite("An agent that cannot reach its hub")
struct HubUnreachableTests {
    /// Warnings and errors logged, as they arrive.
    struct Watcher: LogHandler {
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
    }

    @Test func saysSoAfterAFewSecondsAndKeepsSayingIt() async throws {
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let logger = Logger(label: "test.unreachable") { _ in Watcher(seen: continuation) }
        // Nothing listens on port 1 of the loopback: every connection attempt is refused.
        var configuration = AgentConfiguration(
            agency: "iom-morocco", role: .iom, coordinator: "commune-agadir", ingress: "tcp://127.0.0.1:1", egress: "tcp://127.0.0.1:1")
        configuration.hubWarnings = .init(after: .milliseconds(200), every: .milliseconds(500))
        let runtime = try AgentRuntime(configuration: configuration, logger: logger, behaviour: { IdleBehaviour() })
        let task = Task { try await runtime.run() }
        defer { task.cancel() }
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            continuation.finish()
        }
        defer { timeout.cancel() }
        var warnings: [String] = []
        for await line in lines where line.hasPrefix("cannot talk to the hub") {
            warnings.append(line)
            if warnings.count == 2 { break }
        }
        #expect(warnings.count == 2, "the agent went silent: \(warnings)")
        #expect(warnings.first?.contains("cannot reach the hub at tcp://127.0.0.1:1") == true)
        #expect(warnings.first?.contains("is it running") == true)
    }
}

/// A behaviour that does nothing: the agent only tries to reach its hub.
final class IdleBehaviour: AgentBehaviour {
    func handle(_ envelope: Envelope, agent: AgentContext) {}
}
