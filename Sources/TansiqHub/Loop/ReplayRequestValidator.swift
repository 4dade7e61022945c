import Foundation
import TansiqMessages

/// A replay request the hub accepted: who asks, and what for.
struct AcceptedReplayRequest {
    var agency: String
    var header: Header
    var request: ReplayRequest
}

/// Why the hub refuses a replay request, with the agency when it could be read.
struct ReplayRequestRefusal: Error {
    var agency: String?
    var messageID: UUID?
    var message: String
    /// The request's `afterSequence`, when its body could be read.
    var afterSequence: UInt64?
}

/// The checks a replay request passes, as strict as the ingress's: three frames, size, topic
/// `hub/replay/request/<agency>`, header (version, kind `hub.replay.request`, sender = the
/// topic's agency, not the hub), the whole body, and prefixes that can match a Tansiq topic.
struct ReplayRequestValidator {
    let hubID: String
    let maxMessageBytes: Int

    func validate(_ frames: ArraySlice<[UInt8]>) -> Result<AcceptedReplayRequest, ReplayRequestRefusal> {
        let frames = Array(frames)
        let topic = frames.first.flatMap { try? Topic(bytes: $0) }
        let agency = topic?.family == .replayRequest ? topic?.agency : nil
        func refuse(_ message: String, _ id: UUID? = nil) -> Result<AcceptedReplayRequest, ReplayRequestRefusal> {
            .failure(ReplayRequestRefusal(agency: agency, messageID: id, message: message))
        }
        guard frames.count == 3 else {
            return refuse("expected 3 frames (topic, header, body) after the routing id, got \(frames.count)")
        }
        let size = frames[0].count + frames[1].count + frames[2].count
        guard size <= maxMessageBytes else {
            return refuse("the request is \(size) bytes; the limit is \(maxMessageBytes)")
        }
        guard let topic else {
            return refuse("the topic frame is not a Tansiq topic")
        }
        guard topic.family == .replayRequest, let agency else {
            return refuse("a replay request is sent on hub/replay/request/<agency>, not on '\(topic)'")
        }
        let header: Header
        do {
            header = try MessageCodec.decodeHeader(frames[1])
        } catch {
            return refuse("bad header: \(error.description)")
        }
        guard header.type == .replayRequest else {
            return refuse("a '\(PrintableCode(header.type.rawValue))' message is not a replay request; the header's type must be 'hub.replay.request'", header.id)
        }
        guard header.source == agency, header.source != hubID else {
            return refuse("topic '\(topic)' names agency '\(agency)' but the header's source is '\(header.source)'", header.id)
        }
        let request: ReplayRequest
        do {
            guard case .replayRequest(let decoded) = try MessageCodec.decode(topic: topic, header: header, body: frames[2]).payload else {
                return refuse("the body is not a replay request", header.id)
            }
            request = decoded
        } catch {
            return refuse("bad body: \(error.description)", header.id)
        }
        for prefix in request.prefixes where !Self.canMatchATopic(prefix) {
            return .failure(ReplayRequestRefusal(
                agency: agency, messageID: header.id,
                message: "prefix '\(prefix)' matches no Tansiq topic (families: \(Topic.Family.allCases.map(\.template).joined(separator: ", ")))",
                afterSequence: request.afterSequence))
        }
        return .success(AcceptedReplayRequest(agency: agency, header: header, request: request))
    }

    /// Whether some topic of some family starts with `prefix` (already a valid subscription
    /// prefix): its fixed words agree with the family's, and a prefix ending in `/` leaves at
    /// least one segment to come.
    static func canMatchATopic(_ prefix: String) -> Bool {
        guard prefix.hasSuffix("/") else { return prefix.isEmpty || (try? Topic(prefix)) != nil }
        let segments = prefix.dropLast().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        return Topic.Family.allCases.contains { family in
            let words = family.rawValue.split(separator: "/").map(String.init)
            guard segments.count < words.count + family.partNames.count else { return false }
            return zip(segments, words).allSatisfy { $0 == $1 }
        }
    }
}

/// Printable form of an untrusted code, capped.
private struct PrintableCode: CustomStringConvertible {
    let description: String
    init(_ raw: String) {
        description = String(raw.unicodeScalars.prefix(63).filter { $0.isASCII && $0.value >= 0x20 }.map(Character.init))
    }
}
