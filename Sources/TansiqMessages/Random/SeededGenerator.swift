/// The project's one seeded random number generator (xoshiro256**, seeded through SplitMix64):
/// a simulation with the same topology and seed draws the same plan, delays and ids every run,
/// and tests get reproducible inputs. Draw through ``next()`` (or `Distribution.sample`), never
/// the standard library's `random(in:using:)`, whose algorithm may change between toolchains.
///
/// Not for cryptography: case references and keys must never come from it.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        state = (
            Self.splitMix64(&splitMix), Self.splitMix64(&splitMix),
            Self.splitMix64(&splitMix), Self.splitMix64(&splitMix)
        )
    }

    /// An independent, reproducible stream for one part of a simulation (a node, the arrivals…),
    /// so that adding draws in one part does not shift the draws of another.
    ///
    /// The stream name is hashed with FNV-1a, which, unlike `Hasher`, is the same in every process.
    public init(seed: UInt64, stream: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        self.init(seed: seed ^ hash)
    }

    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state
    }

    /// A generator for one named purpose, independent of this one's later draws and of the
    /// generators derived for other labels.
    public func derived(_ label: String) -> SeededGenerator {
        var copy = self
        return SeededGenerator(seed: copy.next(), stream: label)
    }

    /// A uniform draw in `[0, 1)` from the top 53 bits of one output.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform draw in `0..<count` (`count` > 0).
    public mutating func index(below count: Int) -> Int {
        precondition(count > 0, "a draw needs at least one value")
        return Swift.min(count - 1, Int(unit() * Double(count)))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = Self.rotateLeft(state.3, 45)
        return result
    }

    /// Generators are equal when they will produce the same sequence.
    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.state == rhs.state
    }

    /// Hashes the internal state.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0)
        hasher.combine(state.1)
        hasher.combine(state.2)
        hasher.combine(state.3)
    }

    static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9e37_79b9_7f4a_7c15
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
