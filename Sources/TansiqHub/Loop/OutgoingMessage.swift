import Foundation
import TansiqMessages
import ZeroMQ

/// A message the loop has accepted (or made) this round, waiting to be numbered, stored and
/// forwarded.
struct OutgoingMessage {
    /// The topic frame as text.
    var topic: String
    /// The decoded header: kind, sender, ids for the journal's columns.
    var header: Header
    /// Topic, header and body, as they will be forwarded (the stamp is appended).
    var frames: Frames
    /// Where the frames are.
    enum Frames {
        /// Still in the ingress's buffers: forwarded without a copy.
        case received(ForwardedMessage)
        /// Made by the hub.
        case encoded([[UInt8]])

        /// Frame `index` read in place, valid only inside `body`.
        func withFrame<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
            switch self {
            case .received(let message): message.withFrame(index, body)
            case .encoded(let frames): frames[index].withUnsafeBytes(body)
            }
        }

        func frame(_ index: Int) -> [UInt8] {
            switch self {
            case .received(let message): message.frame(index)
            case .encoded(let frames): frames[index]
            }
        }

        var byteCount: Int {
            switch self {
            case .received(let message): message.byteCount
            case .encoded(let frames): frames.reduce(0) { $0 + $1.count }
            }
        }
    }
    /// Whether a publisher sent it (and must hear if it cannot be stored), or the hub made it.
    var fromPublisher: Bool
    /// The referral whose registry record it changed: the record is stored with it.
    var referral: UUID? = nil
    /// Where to acknowledge it, when it came to the confirmed publish endpoint.
    var confirmTo: ConfirmationAddress? = nil
}
