import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// A message the loop has accepted (or made) this round, waiting to be numbered, stored and
/// forwarded.
struct OutgoingMessage {
    /// The topic frame as text.
    var topic: String
    /// The decoded header: kind, sender, ids for the journal's columns.
    var header: Header
    /// Topic, header and body, as they will be forwarded (the stamp is appended).
    var frames: Frames
    /// Where the frames are.
    enum Frames {
        /// Still in the ingress's buffers: forwarded without a copy.
        case received(ForwardedMessage)
        /// Made by the hub.
        case encoded([[UInt8]])

        func frame(_ index: Int) -> [UInt8] {
            switch self {
            case .received(let message): message.frame(index)
            case .encoded(let frames): frames[index]
            }
        }

        var byteCount: Int {
            switch self {
            case .received(let message): message.byteCount
            case .encoded(let frames): frames.reduce(0) { $0 + $1.count }
            }
        }
    }
    /// Whether a publisher sent it (and must hear if it cannot be stored), or the hub made it.
    var fromPublisher: Bool
    /// The referral whose registry record it changed: the record is stored with it.
    var referral: UUID? = nil
    /// Where to acknowledge it, when it came to the confirmed publish endpoint.
    var confirmTo: ConfirmationAddress? = nil
}

extension HubLoop {
    /// The rejection reason of a message the journal could not store: the sender may retry.
    static let journalFailedReason = HubRejection.Reason.journalUnavailable

    static func openJournal(_ configuration: JournalConfiguration?) throws -> (Journal?, JournalLock?) {
        guard let configuration else { return (nil, nil) }
        let lock = try JournalLock(journalPath: configuration.path)
        do {
            let journal = try Journal(
                path: configuration.path, durability: configuration.durability, retention: configuration.retention,
                masterKey: configuration.masterKey)
            return (journal, lock)
        } catch {
            lock.release()
            throw HubError(code: .journalUnavailable, message: error.message)
        }
    }

    /// Numbers this round's messages, stores them in one transaction (a group commit), and only
    /// then forwards them. When the journal refuses the batch nothing of it is forwarded and no
    /// number is used: the publishers are told on `hub/rejected/<agency>` and may send again.
    func flushOutbox() throws {
        guard !outbox.isEmpty else { return }
        let batch = outbox
        outbox.removeAll(keepingCapacity: true)
        do {
            try store(batch)
            registry.commit()
        } catch {
            // The batch's registry changes go with it; the publishers send again.
            registry.rollback()
            refuse(batch, because: error)
            guard !outbox.isEmpty else { return }
            // The rejections and the hub's own messages get one more attempt; if the journal
            // fails again nothing goes out: the egress never carries an unjournaled number.
            let retry = outbox
            outbox.removeAll(keepingCapacity: true)
            do {
                try store(retry)
                registry.commit()
            } catch {
                registry.rollback()
                counters.journalFailures += UInt64(retry.count)
                logger.error(
                    "journal failed again: rejections and hub messages dropped",
                    metadata: ["count": "\(retry.count)", "error": "\(error)"])
            }
        }
    }

    /// Stamps, journals and forwards `batch`; throws the journal's error, having changed nothing.
    private func store(_ batch: [OutgoingMessage]) throws(JournalError) {
        let numbering = sequencer.number(batch.lazy.map(\.topic))
        var stamps: [[UInt8]] = []
        stamps.reserveCapacity(batch.count)
        var assigned: [(seq: UInt64, topicSeq: UInt64)] = []
        assigned.reserveCapacity(batch.count)
        var records: [JournalRecord] = []
        if journal != nil { records.reserveCapacity(batch.count) }
        let now = Date()
        for (message, numbers) in zip(batch, numbering.stamps) {
            stamps.append(MessageCodec.encodeStamp(HubStamp(hub: configuration.hubID, seq: numbers.sequence, topicSeq: numbers.topicSequence)))
            if let referral = message.referral { registry.stamp(referral, sequence: numbers.sequence) }
            assigned.append((numbers.sequence, numbers.topicSequence))
            if journal != nil {
                records.append(JournalRecord(
                    sequence: numbers.sequence,
                    topicSequence: numbers.topicSequence,
                    topic: message.topic,
                    header: message.frames.frame(1),
                    body: message.frames.frame(2),
                    kind: message.header.type.rawValue,
                    source: message.header.source,
                    correlationID: message.header.correlationid.map(Identifier.text),
                    messageID: Identifier.text(message.header.id),
                    receivedAt: now))
            }
        }
        if let journal {
            let started = clock.now
            try journal.append(records, referrals: registry.pending)
            noteCommit(messages: records.count, duration: clock.now - started, failure: nil)
        }
        sequencer.commit(numbering)
        counters.lastSequence = sequencer.lastSequence
        forward(batch, stamps: stamps)
        acknowledgeStored(batch, stamps: assigned)
    }

    /// Sends a stored batch to the egress, each message with its stamp frame.
    private func forward(_ batch: [OutgoingMessage], stamps: [[UInt8]]) {
        for (message, stamp) in zip(batch, stamps) {
            if message.fromPublisher { counters.accepted += 1 }
            let bytes = message.frames.byteCount + stamp.count
            do {
                switch message.frames {
                case .received(let received):
                    try egress.send(received, appending: stamp)
                    recycle(received)
                case .encoded(let frames):
                    try egress.send(frames + [stamp])
                }
            } catch {
                // Stored but not sent (the context is closing): subscribers replay it.
                logger.warning("a journaled message could not be sent to the egress", metadata: ["error": "\(error)"])
                continue
            }
            counters.messagesOut += 1
            counters.bytesOut += UInt64(bytes)
        }
    }

    /// Counts a batch the journal refused and queues a rejection for each publisher's message,
    /// and the hub's own messages again.
    private func refuse(_ batch: [OutgoingMessage], because error: JournalError) {
        counters.journalFailures += UInt64(batch.count)
        noteCommit(messages: batch.count, duration: .zero, failure: error.message)
        logger.error(
            "journal failed: batch not forwarded",
            metadata: ["count": "\(batch.count)", "error": "\(error)"])
        for message in batch {
            guard message.fromPublisher else {
                outbox.append(message)
                continue
            }
            counters.rejections[Self.journalFailedReason.rawValue, default: 0] += 1
            if let address = message.confirmTo {
                refuseUnstored(message, to: address, because: error)
                continue
            }
            let rejection = HubRejection(
                rejectedMessageId: message.header.id,
                agency: message.header.source,
                reason: Self.journalFailedReason,
                message: "the hub could not store this message in its journal (\(error.code)); it was not forwarded: send it again",
                topic: message.topic,
                at: Date()
            )
            do {
                publishOwn(topic: try Topic.hubRejection(agency: message.header.source), payload: .hubRejection(rejection))
            } catch {
                logger.error("cannot address a rejection", metadata: ["agency": "\(message.header.source)"])
            }
        }
    }

    /// Deletes what the retention policy no longer allows; a failure is logged, never fatal.
    func applyRetention() {
        guard let journal else { return }
        do {
            let deleted = try journal.applyRetention()
            if deleted > 0 { logger.info("journal retention", metadata: ["deleted": "\(deleted)"]) }
        } catch {
            logger.error("journal retention failed", metadata: ["error": "\(error)"])
        }
    }

    /// The journal block of `hub/stats/<hub>`.
    func journalStatistics() -> HubStatistics.Journal? {
        guard let journal else { return nil }
        let entries: UInt64
        do {
            entries = try journal.storedCount()
        } catch {
            logger.error("cannot count the journal's messages", metadata: ["error": "\(error)"])
            entries = 0
        }
        return HubStatistics.Journal(backend: "sqlite", lastSequence: journal.lastSequence, entries: entries)
    }
}
