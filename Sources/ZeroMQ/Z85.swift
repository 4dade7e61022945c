import CZeroMQ

/// Z85, the printable encoding of binary keys used by ZeroMQ (`zmq_z85_encode`/`zmq_z85_decode`).
public enum Z85 {
    /// Encodes `bytes`, whose count must be a multiple of 4; `nil` otherwise.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        guard !bytes.isEmpty else { return "" }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        let encoded = bytes.withUnsafeBufferPointer { source in
            text.withUnsafeMutableBufferPointer { zmq_z85_encode($0.baseAddress, source.baseAddress, source.count) }
        }
        guard encoded != nil else { return nil }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Decodes `text`, whose length must be a multiple of 5 and whose characters must be Z85; `nil` otherwise.
    public static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 5 == 0, !characters.contains(0) else { return nil }
        guard !characters.isEmpty else { return [] }
        var bytes = [UInt8](repeating: 0, count: characters.count / 5 * 4)
        let decoded = text.withCString { source in
            bytes.withUnsafeMutableBufferPointer { zmq_z85_decode($0.baseAddress, source) }
        }
        return decoded == nil ? nil : bytes
    }
}
