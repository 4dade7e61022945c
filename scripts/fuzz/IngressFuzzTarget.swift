// libFuzzer entry point over the hub's ingress: MessageCodec's decoder and IngressValidator.
// Built by scripts/fuzz/run.sh; not part of the package.
import TansiqMessages

/// One input is the frames of a message separated by the byte 0x1E (never valid in a topic,
/// and escaped inside JSON), so that mutations can add, drop and reshape frames.
private func frames(_ data: UnsafePointer<UInt8>, _ size: Int) -> [[UInt8]] {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    return bytes.split(separator: 0x1E, omittingEmptySubsequences: false).map(Array.init)
}

private var validator = IngressValidator(hubID: "main", maxMessageBytes: 256 * 1024, bodyValidation: .full)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let message = frames(data, size)
    // The decoder alone: whatever decodes must encode and decode to the same message.
    if let (envelope, _) = try? MessageCodec.decode(message) {
        guard let encoded = try? MessageCodec.encode(envelope),
              let again = try? MessageCodec.decode(encoded).envelope, again == envelope
        else { fatalError("a decoded message does not round-trip: \(message.map { String(decoding: $0, as: UTF8.self) })") }
    }
    // The hub's checks: accepted or refused with a reason, never a trap.
    switch validator.validate(message) {
    case .success(let accepted):
        if (try? MessageCodec.decode(topic: accepted.topic, header: accepted.header, body: message[2])) == nil {
            fatalError("the validator accepted a message the codec refuses")
        }
    case .failure(let rejection):
        if rejection.message.isEmpty { fatalError("a rejection without a message") }
    }
    return 0
}
