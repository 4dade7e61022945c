extension ReferralRecord {
    /// How a record's `bodyDigest` was computed.
    package enum DigestKind: Sendable {
        /// XXH64 (seed 0), read eight bytes at a time: what the hub stores since it replaced FNV-1a.
        case xxh64
        /// 64-bit FNV-1a, a byte at a time: records stored by earlier hubs (their journals keep it).
        case fnv1a
    }

    /// The digest of a referral's body kept in its record: tells a re-publication from another
    /// referral under the same id. A record may hold either kind (nothing in the journal says
    /// which): a body matches it when either digest does (``matches(body:)``).
    package static func digest(_ body: UnsafeRawBufferPointer, _ kind: DigestKind = .xxh64) -> UInt64 {
        switch kind {
        case .xxh64: xxh64(body)
        case .fnv1a: fnv1a(body)
        }
    }

    package static func digest(_ body: [UInt8], _ kind: DigestKind = .xxh64) -> UInt64 {
        body.withUnsafeBytes { digest($0, kind) }
    }

    /// Whether `digest(kind)` (the body's digests, computed on demand) matches this record's:
    /// the current kind first, the earlier one only when it does not.
    package func matches(body digest: (DigestKind) -> UInt64) -> Bool {
        // An erased referral's record forgets its digest (0): no body matches it.
        guard bodyDigest != 0 else { return false }
        return digest(.xxh64) == bodyDigest || digest(.fnv1a) == bodyDigest
    }

    private static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    // XXH64 as specified by its author (github.com/Cyan4973/xxHash, doc/xxhash_spec.md), seed 0.
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always)
    private static func rotate(_ value: UInt64, _ by: UInt64) -> UInt64 { (value << by) | (value >> (64 - by)) }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        (accumulator ^ round(0, lane)) &* prime1 &+ prime4
    }

    private static func xxh64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var offset = 0
        @inline(__always) func word(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        var hash: UInt64
        if count >= 32 {
            var lanes = (prime1 &+ prime2, prime2, UInt64(0), 0 &- prime1)
            while offset + 32 <= count {
                lanes.0 = round(lanes.0, word(offset))
                lanes.1 = round(lanes.1, word(offset + 8))
                lanes.2 = round(lanes.2, word(offset + 16))
                lanes.3 = round(lanes.3, word(offset + 24))
                offset += 32
            }
            hash = rotate(lanes.0, 1) &+ rotate(lanes.1, 7) &+ rotate(lanes.2, 12) &+ rotate(lanes.3, 18)
            hash = merge(merge(merge(merge(hash, lanes.0), lanes.1), lanes.2), lanes.3)
        } else {
            hash = prime5
        }
        hash &+= UInt64(count)
        while offset + 8 <= count {
            hash = rotate(hash ^ round(0, word(offset)), 27) &* prime1 &+ prime4
            offset += 8
        }
        if offset + 4 <= count {
            let half = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            hash = rotate(hash ^ (half &* prime1), 23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < count {
            hash = rotate(hash ^ (UInt64(bytes[offset]) &* prime5), 11) &* prime1
            offset += 1
        }
        hash ^= hash >> 33
        hash &*= prime2
        hash ^= hash >> 29
        hash &*= prime3
        hash ^= hash >> 32
        return hash
    }
}
