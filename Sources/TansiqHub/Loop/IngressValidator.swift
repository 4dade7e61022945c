import Foundation
import TansiqMessages
import ZeroMQ

/// A message the hub accepted: its topic as sent, and its decoded header.
struct AcceptedMessage {
    var topic: Topic
    var header: Header
    /// The decoded body, when the hub validated it (`full` body validation).
    var payload: Payload?
}

/// Why the hub refused a message, with what could be read of it.
struct IngressRejection: Error {
    var reason: HubRejection.Reason
    var message: String
    var messageID: UUID?
    var agency: String?
    var topic: String?
    /// The referral it was about, when the registry refused it.
    var referralID: UUID?
    /// Whether the sender is told on `hub/rejected/<agency>` (a flood is told once a second).
    var notify = true
}

/// The checks every message passes before the hub numbers and forwards it: frame count, size,
/// topic, header (version, kind, ids, time), kind against topic family, declared sender against
/// topic, and (by default) the whole body.
struct IngressValidator {
    /// The hub's id: the `source` of its own messages, which no publisher may use.
    let hubID: String
    let maxMessageBytes: Int
    let bodyValidation: HubConfiguration.BodyValidation
    /// The value checks applied to bodies under `full` validation.
    let privacy: PrivacyRules

    init(hubID: String, maxMessageBytes: Int, bodyValidation: HubConfiguration.BodyValidation, privacy: PrivacyRules = .standard) {
        self.hubID = hubID
        self.maxMessageBytes = maxMessageBytes
        self.bodyValidation = bodyValidation
        self.privacy = privacy
    }

    /// Topics already parsed, by their bytes.
    private var topics: [[UInt8]: Topic] = [:]
    private var lastTopic: (bytes: [UInt8], topic: Topic)?
    private static let topicCacheLimit = 10_000

    /// Checks a message whose frames are Swift arrays (tests, the replay endpoint).
    mutating func validate(_ frames: [[UInt8]]) -> Result<AcceptedMessage, IngressRejection> {
        validate(frames: frames)
    }

    /// Checks a message read in place from the ingress: only what must outlive the check is copied.
    mutating func validate(_ message: ForwardedMessage) -> Result<AcceptedMessage, IngressRejection> {
        validate(frames: message)
    }

    private mutating func validate(frames: some IngressFrameSource) -> Result<AcceptedMessage, IngressRejection> {
        // Rejections name the topic; an accepted message never needs it as text.
        func printable() -> String? { frames.frameCount > 0 ? frames.read(0, Self.printableTopic) : nil }
        guard frames.frameCount == 3 else {
            return .failure(IngressRejection(
                reason: .malformedFrames,
                message: "expected 3 frames (topic, header, body), got \(frames.frameCount)",
                topic: printable()
            ))
        }
        let size = frames.frameSize(0) + frames.frameSize(1) + frames.frameSize(2)
        guard size <= maxMessageBytes else {
            return .failure(IngressRejection(
                reason: .tooLarge,
                message: "message is \(size) bytes; the limit is \(maxMessageBytes)",
                topic: printable()
            ))
        }
        let header: Header
        do {
            header = try frames.read(1) { bytes in Result { () throws(ProtocolError) in try MessageCodec.decodeHeader(bytes: bytes) } }.get()
        } catch {
            return .failure(IngressRejection(
                reason: error.code == .unsupportedVersion ? .unsupportedVersion : .badHeader,
                message: error.description,
                topic: printable()
            ))
        }
        func refuse(_ reason: HubRejection.Reason, _ message: String) -> Result<AcceptedMessage, IngressRejection> {
            .failure(IngressRejection(reason: reason, message: message, messageID: header.id, agency: header.source, topic: printable()))
        }
        let topic: Topic
        switch cachedTopic(frames) {
        case .success(let known):
            topic = known
        case .failure(let error):
            return refuse(.malformedTopic, error.description)
        }
        guard header.source != hubID, !header.type.rawValue.hasPrefix("hub.") else {
            return refuse(.notAuthorized, "only the hub publishes as '\(hubID)' or sends hub.* messages")
        }
        guard header.type.isKnown else {
            return refuse(.kindTopicMismatch, "unknown message type")
        }
        guard topic.allows(header.type) else {
            return refuse(.kindTopicMismatch, "a '\(header.type.rawValue)' message cannot be sent on topic '\(topic)'")
        }
        if let declared = topic.declaredSender, declared != header.source {
            return refuse(.senderMismatch, "topic '\(topic)' names sender '\(declared)' but the header's source is '\(header.source)'")
        }
        var payload: Payload?
        if bodyValidation == .full {
            // Read in place: referral and status bodies in one pass, without a copy.
            let privacy = privacy
            let decoded = frames.read(2) { bytes in
                Result { () throws(ProtocolError) in try MessageCodec.decode(topic: topic, header: header, body: bytes, rules: privacy).payload }
            }
            switch decoded {
            case .success(let body): payload = body
            case .failure(let error): return refuse(HubRejection.Reason(error), error.description)
            }
        }
        return .success(AcceptedMessage(topic: topic, header: header, payload: payload))
    }

    /// The parsed topic of a topic frame: the last one seen, then the cache, then the parser.
    private mutating func cachedTopic(_ frames: some IngressFrameSource) -> Result<Topic, ProtocolError> {
        // Streams repeat their topic: comparing bytes is cheaper than hashing them.
        if let last = lastTopic, frames.read(0, { last.bytes.elementsEqual($0) }) { return .success(last.topic) }
        let key = frames.read(0) { Array($0) }
        let topic: Topic
        if let known = topics[key] {
            topic = known
        } else {
            do {
                topic = try Topic(bytes: key)
            } catch {
                return .failure(error)
            }
            // A network has few distinct topics; the bound keeps a hostile publisher from growing it.
            if topics.count >= Self.topicCacheLimit { topics.removeAll(keepingCapacity: true) }
            topics[key] = topic
        }
        lastTopic = (key, topic)
        return .success(topic)
    }

    /// The topic frame as text for a rejection, only when it is a well-formed topic: a malformed
    /// one may hold anything, a name included, and rejections never repeat what they refuse.
    private static func printableTopic(_ frame: UnsafeRawBufferPointer) -> String? {
        guard let topic = try? Topic(bytes: Array(frame.prefix(Topic.maximumLength + 1))) else { return nil }
        return topic.rawValue
    }
}

/// The frames of a message wherever they live, read in place by the validator.
protocol IngressFrameSource {
    var frameCount: Int { get }
    func frameSize(_ index: Int) -> Int
    func read<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result
}

extension Array: IngressFrameSource where Element == [UInt8] {
    var frameCount: Int { count }
    func frameSize(_ index: Int) -> Int { self[index].count }
    func read<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        self[index].withUnsafeBytes(body)
    }
}

extension ForwardedMessage: IngressFrameSource {
    var frameCount: Int { count }
    func frameSize(_ index: Int) -> Int { size(ofFrame: index) }
    func read<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withFrame(index, body)
    }
}
