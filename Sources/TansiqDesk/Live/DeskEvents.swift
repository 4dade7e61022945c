import Foundation
import Synchronization
import TansiqAgent
import TansiqMessages

/// What the desk's pages and API clients are told as it happens (`/events`, server-sent events).
public struct DeskEvent: Codable, Sendable, Equatable {
    /// `referral` (a referral arrived or was sent), `status` (a state changed), `escalation`,
    /// `service` (a service status), `refused` (the hub refused something of ours).
    public var kind: String
    /// The referral, if the event is about one.
    public var referralId: String?
    /// The protocol state reached, for `referral` and `status`.
    public var state: String?

    public init(kind: String, referralId: UUID? = nil, state: String? = nil) {
        self.kind = kind
        // Lowercase, as on the wire and in the pages' `data-referral-id`.
        self.referralId = referralId?.uuidString.lowercased()
        self.state = state
    }

    /// The event an agent event makes, if any.
    init?(_ event: AgentEvent) {
        switch event {
        case .referralReceived(let referral), .referralSent(let referral):
            self.init(kind: "referral", referralId: referral.referralId, state: ReferralState.requested.rawValue)
        case .statusObserved(let update), .statusPublished(let update):
            self.init(kind: "status", referralId: update.referralId, state: update.state.rawValue)
        case .escalationObserved(let escalation), .escalationRaised(let escalation):
            self.init(kind: "escalation", referralId: escalation.referralId)
        case .serviceStatusPublished:
            self.init(kind: "service")
        case .presenceChanged:
            self.init(kind: "presence")
        case .referralViewed(let view):
            self.init(kind: "view", referralId: view.referralId, state: view.state.rawValue)
        case .publishRefused(_, _, _, _, let referral):
            self.init(kind: "refused", referralId: referral)
        default:
            return nil
        }
    }
}

/// Hands every desk event to every open stream; a slow reader loses old events, never blocks
/// the agent. Events are numbered: a page names the last one it reflects, and its stream
/// starts with those it missed (the last 512 are kept).
final class DeskEventHub: Sendable {
    struct Numbered: Sendable {
        var sequence: UInt64
        var event: DeskEvent

        /// The event as one server-sent event.
        var serverSentEvent: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = (try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return "id: \(sequence)\nevent: \(event.kind)\ndata: \(json)\n\n"
        }
    }

    private struct State {
        var sequence: UInt64 = 0
        var recent: [Numbered] = []
        var streams: [UUID: AsyncStream<Numbered>.Continuation] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// The number of the last event.
    var sequence: UInt64 { state.withLock { $0.sequence } }

    /// A stream of the events after `after` (those still kept), then of every new one; finished
    /// at once when the desk is stopping.
    func subscribe(after: UInt64?) -> AsyncStream<Numbered> {
        let (stream, continuation) = AsyncStream.makeStream(of: Numbered.self, bufferingPolicy: .bufferingNewest(1024))
        let id = UUID()
        let open = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            if let after { for event in state.recent where event.sequence > after { continuation.yield(event) } }
            state.streams[id] = continuation
            return true
        }
        if open {
            continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.streams.removeValue(forKey: id) } }
        } else {
            continuation.finish()
        }
        return stream
    }

    func publish(_ event: DeskEvent) {
        state.withLock { state in
            state.sequence += 1
            let numbered = Numbered(sequence: state.sequence, event: event)
            state.recent.append(numbered)
            if state.recent.count > 512 { state.recent.removeFirst(state.recent.count - 512) }
            for stream in state.streams.values { stream.yield(numbered) }
        }
    }

    /// Ends every stream: the desk is shutting down.
    func close() {
        let streams = state.withLock { state in
            state.closed = true
            defer { state.streams.removeAll() }
            return Array(state.streams.values)
        }
        for stream in streams { stream.finish() }
    }
}
