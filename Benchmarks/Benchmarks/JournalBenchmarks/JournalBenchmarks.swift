import Benchmark
import Foundation
import TansiqHub
import TansiqMessages

/// The journal's group commit: a batch of `tansiq bench`'s ~1 KB referrals stored in one
/// transaction, at each durability, in a new file per run.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .instructions, .mallocCountTotal, .throughput],
        maxDuration: .seconds(5), maxIterations: 10_000)

    for durability in [JournalDurability.full, .normal] {
        for batch in [1, 64, 2048] {
            Benchmark("append \(batch) (\(durability.rawValue))", configuration: .init(scalingFactor: .one)) { benchmark in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-journal-bench-\(UUID())")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let journal = try Journal(path: directory.appendingPathComponent("journal.sqlite").path, durability: durability)
                defer { journal.close() }
                let frames = try MessageCodec.encode(Sample.referral())
                var sequence: UInt64 = 0
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    var records: [JournalRecord] = []
                    records.reserveCapacity(batch)
                    for _ in 0..<batch {
                        sequence += 1
                        records.append(JournalRecord(
                            sequence: sequence, topicSequence: sequence, topic: "referral/to/bench-sink-0/health",
                            header: frames[1], body: frames[2], kind: "referral", source: "bench-source-0",
                            correlationID: Identifier.text(UUID()), messageID: Identifier.text(UUID()), receivedAt: Date()))
                    }
                    try journal.append(records)
                }
                benchmark.stopMeasurement()
            }
        }
    }
}

enum Sample {
    static func referral() -> Envelope {
        let now = Date()
        let referral = Referral(
            referralId: UUID(), caseReference: "BCH-0001", referringAgency: "bench-source-0", referringWorker: "caseworker-1",
            receivingAgency: "bench-sink-0", category: .health, priority: .routine, reasonCodes: [.medicalConsultation],
            note: String(repeating: "x", count: 200),
            consent: Referral.Consent(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-1", recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(3600), decideBy: now.addingTimeInterval(7200), followUpOn: now.addingTimeInterval(86_400))
        return Envelope(
            topic: try! Topic.referral(to: "bench-sink-0", category: .health), source: "bench-source-0", agent: "bench-0",
            payload: .referral(referral), correlationID: referral.referralId)
    }
}
