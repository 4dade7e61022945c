import Foundation
import Testing

/// `tansiq bench codec`: the codec's micro-benchmark prints one row per operation, each of the
/// iterations asked for (rates are not checked: speed lives in benchmarks, not in tests).
@Suite("tansiq bench codec")
struct BenchCodecCommandTests {
    @Test(.timeLimit(.minutes(2)))
    func everyOperationIsMeasuredOverTheIterationsAskedFor() throws {
        let bench = try ChildProcess("tansiq", ["bench", "codec", "--iterations", "50"])
        #expect(bench.waitForExit() == 0, "\(bench.standardError)")
        for operation in ["encode referral", "decode referral", "decode header", "decode status update", "encode hub view"] {
            let row = bench.output.first { $0.hasPrefix(operation + " ") }
            let fields = row.map { $0.dropFirst(operation.count).split(separator: " ") } ?? []
            #expect(fields.first == "50", "\(operation): \(bench.output)")
            #expect(fields.count == 3, "\(operation): \(bench.output)")
        }
    }
}
