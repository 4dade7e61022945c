import Logging
import ZeroMQ

/// Forwarding, the last stage: a stored batch goes to the egress (XPUB), each message with its
/// stamp frame appended; received frames leave without a copy.
struct Forwarder {
    let egress: Socket

    /// What one batch put on the egress.
    struct Sent {
        var messages = 0
        var bytes = 0
        var fromPublishers = 0
    }

    /// Sends `batch`; `recycle` gets back each ingress message once sent.
    func forward(_ batch: [OutgoingMessage], stamps: [[UInt8]], logger: Logger, recycle: (ForwardedMessage) -> Void) -> Sent {
        var sent = Sent()
        // By index: iterating the messages would copy each (its header's strings retained and released).
        for index in batch.indices where index < stamps.count {
            let stamp = stamps[index]
            if batch[index].fromPublisher { sent.fromPublishers += 1 }
            let bytes = batch[index].frames.byteCount + stamp.count
            do {
                switch batch[index].frames {
                case .received(let received):
                    try egress.send(received, appending: stamp)
                    recycle(received)
                case .encoded(let frames):
                    try egress.send(frames + [stamp])
                }
            } catch {
                // Stored but not sent (the context is closing): subscribers replay it.
                logger.warning("a journaled message could not be sent to the egress", metadata: ["error": "\(error)"])
                continue
            }
            sent.messages += 1
            sent.bytes += bytes
        }
        return sent
    }
}
