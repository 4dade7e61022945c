import Testing
@testable import TansiqMessages
@testable import TansiqSimulation
import TansiqAgent

@Suite("Distributions and seeded sampling")
struct TopologyDistributionTests {
    static let distributions: [Distribution] = [
        .fixed(.hours(2)),
        .uniform(min: .hours(1), max: .hours(5)),
        .exponential(mean: .days(3)),
        .lognormal(median: .hours(2), p90: .hours(8)),
    ]

    private func draws(_ distribution: Distribution, seed: UInt64, count: Int) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in distribution.sample(using: &generator).seconds }
    }

    @Test func sameSeedGivesTheSameSequence() {
        var first = SeededGenerator(seed: 2026)
        var second = SeededGenerator(seed: 2026)
        let a = (0..<100).map { _ in first.next() }
        let b = (0..<100).map { _ in second.next() }
        #expect(a == b)
        var other = SeededGenerator(seed: 2027)
        #expect((0..<100).map { _ in other.next() } != a)
    }

    /// The reference implementation's outputs for the state {1, 2, 3, 4}.
    @Test func xoshiro256StarStarMatchesTheReference() {
        var generator = SeededGenerator(state: (1, 2, 3, 4))
        #expect((0..<4).map { _ in generator.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    /// SplitMix64's well-known first output for seed 0.
    @Test func splitMix64MatchesTheReference() {
        var state: UInt64 = 0
        #expect(SeededGenerator.splitMix64(&state) == 0xe220_a839_7b1d_cdaf)
    }

    /// Pinned outputs: a change here silently changes every simulation's results.
    @Test func sequenceIsStableAcrossReleases() {
        var generator = SeededGenerator(seed: 1)
        #expect((0..<3).map { _ in generator.next() } == SeededGeneratorGolden.seedOne)
    }

    @Test func streamsAreIndependentAndReproducible() {
        var a1 = SeededGenerator(seed: 7, stream: "iom-morocco")
        var a2 = SeededGenerator(seed: 7, stream: "iom-morocco")
        var b = SeededGenerator(seed: 7, stream: "commune-agadir")
        let first = a1.next()
        #expect(first == a2.next())
        #expect(first != b.next())
    }

    @Test("same seed, same durations", arguments: distributions)
    func samplingIsDeterministic(distribution: Distribution) {
        #expect(draws(distribution, seed: 42, count: 50) == draws(distribution, seed: 42, count: 50))
    }

    @Test("sample mean is near the distribution's mean", arguments: distributions)
    func sampleMeanIsSane(distribution: Distribution) {
        let sample = draws(distribution, seed: 3, count: 20_000)
        let mean = sample.reduce(0, +) / Double(sample.count)
        #expect(abs(mean - distribution.mean.seconds) <= 0.05 * distribution.mean.seconds, "\(distribution): \(mean) vs \(distribution.mean.seconds)")
        #expect(sample.allSatisfy { $0 >= 0 && $0.isFinite })
    }

    @Test func uniformStaysWithinBounds() {
        let sample = draws(.uniform(min: .hours(1), max: .hours(5)), seed: 9, count: 5000)
        #expect(sample.allSatisfy { (3600...18_000).contains($0) })
    }

    @Test func lognormalQuantilesMatchMedianAndP90() {
        let sample = draws(.lognormal(median: .hours(2), p90: .hours(8)), seed: 11, count: 20_000).sorted()
        let median = sample[sample.count / 2]
        let p90 = sample[sample.count * 9 / 10]
        #expect(abs(median - 7200) < 0.05 * 7200)
        #expect(abs(p90 - 28_800) < 0.05 * 28_800)
        #expect(p90 >= median)
    }

    @Test func lognormalWithP90EqualToMedianIsConstant() {
        let sample = draws(.lognormal(median: .hours(3), p90: .hours(3)), seed: 5, count: 100)
        #expect(sample.allSatisfy { $0 == 10_800 })
    }

    @Test func weightedChoiceFollowsItsWeights() {
        let choice = Topology.WeightedChoice<Priority>([(.routine, 0.7), (.urgent, 0.2), (.asap, 0.1), (.stat, 0)])
        var generator = SeededGenerator(seed: 1)
        var counts: [Priority: Int] = [:]
        for _ in 0..<10_000 { counts[choice.pick(using: &generator), default: 0] += 1 }
        #expect(counts[.stat] == nil)
        #expect(abs(Double(counts[.routine] ?? 0) / 10_000 - 0.7) < 0.02)
        #expect(abs(Double(counts[.asap] ?? 0) / 10_000 - 0.1) < 0.02)
        #expect(abs(choice.probability(of: .urgent) - 0.2) < 1e-12)
    }
}

enum SeededGeneratorGolden {
    static let seedOne: [UInt64] = [12_966_619_160_104_079_557, 9_600_361_134_598_540_522, 10_590_380_919_521_690_900]
}
