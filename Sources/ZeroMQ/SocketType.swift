import CZeroMQ

/// The ZeroMQ socket types this layer supports.
public enum SocketType: Sendable, CustomStringConvertible {
    /// `ZMQ_PUB`: fans messages out to subscribers by topic prefix.
    case pub
    /// `ZMQ_SUB`: receives the messages whose first frame matches a subscription prefix.
    case sub
    /// `ZMQ_XPUB`: a PUB that also receives subscribe (`0x01`+topic) and unsubscribe (`0x00`+topic) frames.
    case xpub
    /// `ZMQ_XSUB`: a SUB that sends its subscriptions as messages.
    case xsub
    /// `ZMQ_ROUTER`: prefixes each received message with the sender's routing id and routes replies by it.
    case router
    /// `ZMQ_DEALER`: load-balances outgoing messages and fair-queues incoming ones.
    case dealer
    /// `ZMQ_PAIR`: one exclusive peer, typically over inproc.
    case pair
    /// `ZMQ_PUSH`: pipeline sender.
    case push
    /// `ZMQ_PULL`: pipeline receiver.
    case pull

    var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        }
    }

    /// The libzmq name, e.g. `ROUTER`.
    public var description: String {
        switch self {
        case .pub: "PUB"
        case .sub: "SUB"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .pair: "PAIR"
        case .push: "PUSH"
        case .pull: "PULL"
        }
    }
}
