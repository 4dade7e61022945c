/// Tests on eight bytes at once (one 64-bit word), for the scans that read every byte of a
/// message: each says whether *any* byte of the word matches, exactly (the borrow of a
/// subtraction only spreads above a byte that matched).
enum WordScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset`, the first one lowest.
    @inline(__always)
    static func word(_ bytes: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Whether a byte of `word` is below `limit` (at most 0x80).
    @inline(__always)
    static func anyBelow(_ word: UInt64, _ limit: UInt8) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highBits != 0
    }

    /// Whether a byte of `word` is `byte`.
    @inline(__always)
    static func anyEqual(_ word: UInt64, _ byte: UInt8) -> Bool {
        anyBelow(word ^ (ones &* UInt64(byte)), 1)
    }

    /// Whether a byte of `word` is an ASCII digit.
    @inline(__always)
    static func anyDigit(_ word: UInt64) -> Bool {
        // `^ 0x30` maps exactly the digits onto 0...9.
        anyBelow(word ^ (ones &* 0x30), 10)
    }

    /// Whether a byte of `word` is not ASCII.
    @inline(__always)
    static func anyNonASCII(_ word: UInt64) -> Bool { word & highBits != 0 }
}
