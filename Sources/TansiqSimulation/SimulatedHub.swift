import Foundation
import Logging
import TansiqHub
import ZeroMQ

/// The run's hub, journaling in the run's directory, that a `hub-restart` fault stops and
/// starts again on the same journal and the same endpoints. Driven by the simulation's task.
final class SimulatedHub {
    private var configuration: HubConfiguration
    private let context: Context
    private let logger: Logger
    private let clock: HubClock
    private let observer: (any HubObserver)?
    private var hub: Hub?
    private var task: Task<Void, any Error>?
    /// What the hub's earlier runs counted, added to the current one's.
    private var earlier = HubCounters()
    /// The endpoints bound at the first start (ports resolved); restarts bind the same.
    private(set) var endpoints: HubEndpoints?

    init(configuration: HubConfiguration, context: Context, clock: HubClock = .system, observer: (any HubObserver)? = nil, logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        self.observer = observer
        self.context = context
        self.logger = logger
    }

    /// Starts the hub and waits until it has bound its endpoints.
    @discardableResult
    func start() async throws -> HubEndpoints {
        let hub = try Hub(configuration: configuration, context: context, clock: clock, observer: observer, logger: logger)
        let task = Task { try await hub.run() }
        self.hub = hub
        self.task = task
        do {
            let bound = try await hub.endpoints()
            if endpoints == nil {
                endpoints = bound
                configuration.ingress = bound.ingress
                configuration.egress = bound.egress
                if let replay = bound.replay { configuration.replay = replay }
                configuration.publish = bound.publish
            }
            return bound
        } catch {
            task.cancel()
            _ = try? await task.value
            self.hub = nil
            self.task = nil
            throw error
        }
    }

    /// Stops the hub between two poll rounds: its sockets close with whatever they held, which
    /// to its clients is the same as a crash; the journal keeps every committed batch.
    func stop() async {
        guard let hub, let task else { return }
        task.cancel()
        _ = try? await task.value
        earlier = Self.sum(earlier, hub.counters)
        self.hub = nil
        self.task = nil
    }

    /// Whether the hub is running (not stopped by a `hub-restart` fault).
    var isRunning: Bool { hub != nil }

    /// Everything every run of the hub counted.
    var counters: HubCounters {
        hub.map { Self.sum(earlier, $0.counters) } ?? earlier
    }

    private static func sum(_ a: HubCounters, _ b: HubCounters) -> HubCounters {
        var total = b
        total.messagesIn += a.messagesIn
        total.messagesOut += a.messagesOut
        total.bytesIn += a.bytesIn
        total.bytesOut += a.bytesOut
        total.accepted += a.accepted
        total.rejections.merge(a.rejections, uniquingKeysWith: +)
        total.journalFailures += a.journalFailures
        total.replayRequests += a.replayRequests
        total.replayedMessages += a.replayedMessages
        total.replayErrors.merge(a.replayErrors, uniquingKeysWith: +)
        total.confirmedAccepted += a.confirmedAccepted
        total.confirmedDuplicates += a.confirmedDuplicates
        total.undeliveredAcknowledgements += a.undeliveredAcknowledgements
        return total
    }
}
