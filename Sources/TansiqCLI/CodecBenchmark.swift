import Foundation
import TansiqMessages

/// Measures the message codec on one core: encoding a typical referral, decoding it fully,
/// decoding its header alone (the hub's hot path), and decoding a typical status update.
struct CodecBenchmark {
    /// One measurement.
    struct Result: Sendable, CustomStringConvertible {
        /// What was measured.
        var name: String
        /// How many messages.
        var iterations: Int
        /// Wall-clock seconds for all of them.
        var seconds: Double
        /// Messages per second.
        var messagesPerSecond: Double { seconds > 0 ? Double(iterations) / seconds : 0 }

        var description: String {
            let rate = Int(messagesPerSecond.rounded())
            return "\(name): \(iterations) messages in \(String(format: "%.3f", seconds)) s, \(rate) messages/s"
        }
    }

    /// Runs the five measurements, `iterations` messages each, after a short warm-up.
    static func run(iterations: Int) -> [Result] {
        guard let envelope = try? typicalReferral(), let frames = try? MessageCodec.encode(envelope),
              let view = try? hubView(of: envelope), let status = try? typicalStatusUpdate(of: envelope),
              let statusFrames = try? MessageCodec.encode(status)
        else { return [] }
        let count = max(1, iterations)
        _ = measure("warm-up", min(count, 1000)) { _ = try? MessageCodec.decode(frames) }
        var checksum = 0
        let results = [
            measure("encode referral", count) { checksum &+= (try? MessageCodec.encode(envelope))?[2].count ?? 0 },
            measure("decode referral", count) { checksum &+= (try? MessageCodec.decode(frames)) == nil ? 0 : 1 },
            measure("decode header", count) { checksum &+= (try? MessageCodec.decodeHeader(frames[1]))?.source.utf8.count ?? 0 },
            // The other half of a network's traffic: the moves of referrals.
            measure("decode status update", count) { checksum &+= (try? MessageCodec.decode(statusFrames)) == nil ? 0 : 1 },
            // What the hub adds for each new referral (and each accepted move): its view, encoded.
            measure("encode hub view", count) { checksum &+= (try? MessageCodec.encode(view))?[2].count ?? 0 },
        ]
        // Keeps the optimiser from dropping the work.
        precondition(checksum > 0, "the codec refused its own referral")
        return results
    }

    private static func measure(_ name: String, _ iterations: Int, _ body: () -> Void) -> Result {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<iterations { body() }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(name: name, iterations: iterations, seconds: seconds)
    }

    /// The hub's de-identified view of `referral`, as it publishes one when it records it.
    static func hubView(of referral: Envelope) throws(ProtocolError) -> Envelope {
        guard case .referral(let body) = referral.payload else { throw ProtocolError(.unknownKind, "not a referral") }
        let view = ReferralView(
            referralId: body.referralId, referrer: body.referringAgency, receiver: body.receivingAgency, open: body.isOpen,
            category: body.category, priority: body.priority, state: .requested, acknowledgeBy: body.acknowledgeBy,
            decideBy: body.decideBy, followUpOn: body.followUpOn, updatedAt: referral.header.time)
        return Envelope(
            topic: try Topic.hubView(category: body.category, referrer: body.referringAgency), source: "bench-hub", agent: "bench-hub",
            payload: .referralView(view), time: referral.header.time)
    }

    /// The receiver's completion of `referral`, with its outcome and a note.
    static func typicalStatusUpdate(of referral: Envelope) throws(ProtocolError) -> Envelope {
        guard case .referral(let body) = referral.payload, let receiver = body.receivingAgency else {
            throw ProtocolError(.unknownKind, "not an addressed referral")
        }
        let completedAt = referral.header.time.addingTimeInterval(3 * 86_400)
        let update = ReferralStatusUpdate(
            referralId: body.referralId, state: .completed, previousState: .inProgress, changedBy: receiver, changedAt: completedAt,
            outcome: .init(successful: true, code: .serviceProvided), note: "Seen at the Anza health centre; follow-up booked.")
        return Envelope(
            topic: try Topic.status(addressee: body.referringAgency, sender: receiver, category: body.category), source: receiver,
            agent: "nurse-desk", payload: .referralStatus(update), time: completedAt)
    }

    /// A referral of the size the Agadir pilot sends: addressed, with consent, subject and note.
    static func typicalReferral() throws(ProtocolError) -> Envelope {
        let now = Date(timeIntervalSince1970: 1_796_031_000)
        let referral = Referral(
            referralId: UUID(),
            caseReference: "AGA-2026-0042",
            referringAgency: "iom-agadir",
            referringWorker: "caseworker-3",
            receivingAgency: "health-delegation-agadir",
            category: .health,
            priority: .urgent,
            reasonCodes: [.maternalCare, .medicalConsultation],
            note: "Prefers a female doctor; speaks Wolof and some French.",
            consent: .init(status: .given, scope: [.shareWithReceiver, .shareWithCoordinator], recordedBy: "caseworker-3", recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(Priority.urgent.acknowledgementTime),
            decideBy: now.addingTimeInterval(Priority.urgent.decisionTime),
            followUpOn: now.addingTimeInterval(14 * 86_400),
            subject: .init(ageBand: .adult, language: "wo", needsFlags: [.pregnant])
        )
        return Envelope(
            topic: try Topic.referral(to: "health-delegation-agadir", category: .health), 
            source: "iom-agadir",
            agent: "caseworker-desk",
            payload: .referral(referral),
            time: now
        )
    }
}
