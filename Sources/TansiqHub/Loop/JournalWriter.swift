import Foundation
import TansiqMessages

/// The journal writer: one round's numbered messages, and the registry records they changed,
/// stored in one transaction (the group commit). Only what it stored may be forwarded; when it
/// throws, nothing of the batch is stored. It runs on the journal's writer thread
/// (`JournalPipeline`): it reads the messages' frames in place and nothing of the hub's state.
struct JournalWriter {
    let journal: Journal

    /// Stores `batch` with its numbers; returns how long the commit took. `closed`: the
    /// correlation ids of the referrals the batch's status updates closed (the registry knows:
    /// the journal reads no body).
    func commit(
        _ batch: [OutgoingMessage], numbers: [Sequencer.Stamp], referrals: [ReferralRecord], closed: [String], receivedAt: Date
    ) throws(JournalError) -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        var records: [JournalRecord] = []
        records.reserveCapacity(batch.count)
        // Confirmed publishing's messages: their ids are kept for its de-duplication.
        var confirmed: [Int] = []
        for (message, stamp) in zip(batch, numbers) {
            if message.confirmTo != nil { confirmed.append(records.count) }
            records.append(JournalRecord(
                sequence: stamp.sequence,
                topicSequence: stamp.topicSequence,
                topic: message.topic,
                header: message.frames.frame(1),
                body: message.frames.frame(2),
                kind: message.header.type.rawValue,
                source: message.header.source,
                correlationID: message.header.correlationid.map(Identifier.text),
                messageID: Identifier.text(message.header.id),
                receivedAt: receivedAt))
        }
        try journal.append(records, referrals: referrals, closed: closed, confirmed: confirmed)
        return clock.now - started
    }
}
