import Foundation
import TansiqMessages
import ZeroMQ

/// Where the acknowledgement of a confirmed message goes: the client's routing id on the
/// publish ROUTER, and whether it sent an empty delimiter frame first (a REQ socket does).
struct ConfirmationAddress {
    var routingID: [UInt8]
    var delimiter: Bool
}

/// The hub's side of confirmed publishing: the publish ROUTER, the message ids waiting in this
/// round's batch, and a memory of recently accepted ids in front of the journal's index, so
/// that a re-sent message is acknowledged with its original sequence and never stored twice.
/// Owned by the loop's thread.
final class PublishConfirmations {
    let socket: Socket
    let limits: PublishLimits
    /// Confirmed messages queued in the loop's batch, not yet stored.
    var waiting: Set<UUID> = []
    private var recent: [UUID: (seq: UInt64, topicSeq: UInt64)] = [:]
    /// The most ids remembered; the journal's index answers for older ones.
    static let recentLimit = 100_000

    /// How many ids are remembered.
    var rememberedCount: Int { recent.count }

    init(socket: Socket, limits: PublishLimits) {
        self.socket = socket
        self.limits = limits
    }

    func remember(_ id: UUID, seq: UInt64, topicSeq: UInt64) {
        if recent.count >= Self.recentLimit { recent.removeAll(keepingCapacity: true) }
        recent[id] = (seq, topicSeq)
    }

    func recentStamp(of id: UUID) -> (seq: UInt64, topicSeq: UInt64)? {
        recent[id]
    }

    /// The ROUTER publishers' DEALERs connect to.
    static func makeSocket(context: Context, configuration: HubConfiguration) throws(ZMQError) -> Socket {
        let socket = try context.makeSocket(.router)
        try configuration.security.configureServer(socket)
        // A client that went away is an error we count, not a silent drop.
        try socket.set(.routerMandatory(true))
        try socket.set(.receiveHighWaterMark(configuration.highWaterMark))
        try socket.set(.sendHighWaterMark(configuration.highWaterMark))
        try socket.set(.linger(milliseconds: 0))
        // Far above the hub's own limit, so that an oversized message reaches the hub and is
        // refused with an acknowledgement (libzmq would drop the connection without a word).
        try socket.set(.maxMessageSize(Int64(max(configuration.maxMessageBytes * 4, 16 << 20))))
        return socket
    }
}
