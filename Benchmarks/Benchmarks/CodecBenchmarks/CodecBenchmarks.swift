import Benchmark
import Foundation
import TansiqMessages

/// The codec on one core: what the hub pays per message to read a header, and a whole
/// referral or status body (one pass) against encoding one.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .instructions, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3), maxIterations: 1_000_000)

    let referral = Sample.referral()
    let referralFrames = try! MessageCodec.encode(referral)
    let status = Sample.status(of: referral)
    let statusFrames = try! MessageCodec.encode(status)

    Benchmark("decode header") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try MessageCodec.decodeHeader(referralFrames[1])) }
    }
    Benchmark("decode referral (topic, header, body)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try MessageCodec.decode(referralFrames)) }
    }
    Benchmark("decode status update") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try MessageCodec.decode(statusFrames)) }
    }
    Benchmark("encode referral") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try MessageCodec.encode(referral)) }
    }
}

/// The bench's messages: the referral `tansiq bench` sends, and the receiver's acceptance of it.
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

    static func status(of envelope: Envelope) -> Envelope {
        guard case .referral(let referral) = envelope.payload else { preconditionFailure("not a referral") }
        let update = ReferralStatusUpdate(
            referralId: referral.referralId, state: .received, previousState: .requested, changedBy: "bench-sink-0", changedAt: Date())
        return Envelope(
            topic: try! Topic.status(addressee: "bench-source-0", sender: "bench-sink-0", category: .health), source: "bench-sink-0",
            agent: "bench-sink", payload: .referralStatus(update), correlationID: referral.referralId)
    }
}
