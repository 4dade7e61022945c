import Foundation
import Logging
import TansiqMessages
import ZeroMQ

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

    /// The stages after admission: the sequencer numbers the batch, the journal writer stores
    /// it (one group commit, with the registry's changes), and only then the forwarder sends it
    /// and the confirmed publishers hear back. Throws the journal's error, having changed nothing.
    private func store(_ batch: [OutgoingMessage]) throws(JournalError) {
        let numbering = sequencer.number(batch.lazy.map(\.topic))
        var stamps: [[UInt8]] = []
        stamps.reserveCapacity(batch.count)
        for (message, numbers) in zip(batch, numbering.stamps) {
            stamps.append(MessageCodec.encodeStamp(HubStamp(hub: configuration.hubID, seq: numbers.sequence, topicSeq: numbers.topicSequence)))
            if let referral = message.referral { registry.stamp(referral, sequence: numbers.sequence) }
        }
        if let writer {
            // A status update closes its referral when the registry's record, after the move, is closed.
            let registry = self.registry
            let duration = try writer.commit(
                batch, numbers: numbering.stamps, referrals: registry.pending,
                closes: { message in message.referral.flatMap { registry[$0] }?.isClosed ?? false },
                receivedAt: Date(), clock: clock)
            noteCommit(messages: batch.count, duration: duration, failure: nil)
        }
        sequencer.commit(numbering)
        counters.lastSequence = sequencer.lastSequence
        let sent = forwarder.forward(batch, stamps: stamps, logger: logger, recycle: recycle)
        observer?.forwarded(zip(numbering.stamps, batch).map { ($0.sequence, $1.topic) })
        counters.accepted += UInt64(sent.fromPublishers)
        counters.messagesOut += UInt64(sent.messages)
        counters.bytesOut += UInt64(sent.bytes)
        acknowledgeStored(batch, stamps: numbering.stamps.map { ($0.sequence, $0.topicSequence) })
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
                at: time.now()
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
