import Foundation
import TansiqMessages

/// The journal writer: one round's numbered messages, and the registry records they changed,
/// stored in one transaction (the group commit). Only what it stored may be forwarded; when it
/// throws, nothing of the batch is stored.
struct JournalWriter {
    let journal: Journal

    /// Stores `batch` with its numbers; returns how long the commit took. `closes` says whether
    /// a status update closed its referral (the registry knows: the journal reads no body).
    func commit(
        _ batch: [OutgoingMessage], numbers: [Sequencer.Stamp], referrals: [ReferralRecord], closes: (OutgoingMessage) -> Bool,
        receivedAt: Date, clock: ContinuousClock
    ) throws(JournalError) -> Duration {
        var records: [JournalRecord] = []
        records.reserveCapacity(batch.count)
        var closed: [String] = []
        for (message, stamp) in zip(batch, numbers) {
            let correlationID = message.header.correlationid.map(Identifier.text)
            records.append(JournalRecord(
                sequence: stamp.sequence,
                topicSequence: stamp.topicSequence,
                topic: message.topic,
                header: message.frames.frame(1),
                body: message.frames.frame(2),
                kind: message.header.type.rawValue,
                source: message.header.source,
                correlationID: correlationID,
                messageID: Identifier.text(message.header.id),
                receivedAt: receivedAt))
            if message.header.type == .referralStatus, let correlationID, closes(message) { closed.append(correlationID) }
        }
        let started = clock.now
        try journal.append(records, referrals: referrals, closed: closed)
        return clock.now - started
    }
}
