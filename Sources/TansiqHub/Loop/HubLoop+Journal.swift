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

    /// A batch the sequencer numbered: it is stored, then forwarded (`forwardStored`).
    struct NumberedBatch {
        var messages: [OutgoingMessage]
        var numbering: Sequencer.Numbering
        var stamps: [[UInt8]]
        /// Its registry changes, to undo if the journal refuses it.
        var changes: ReferralRegistry.Changes
        /// The rejections and hub messages sent again after a refused batch: if the journal
        /// fails again nothing of it goes out.
        var isRetry = false
    }

    /// The most messages waiting in the outbox while a batch is being stored; past it the
    /// loop waits for the commit before reading more (the ingress queue holds the rest).
    static let outboxLimit = 2 * batchLimit

    /// The largest batch the loop stores itself rather than on the writer thread: at a low
    /// rate a batch holds a message or two, and handing it to another thread and back costs
    /// it more than the commit (on a busy machine a wake-up can wait for a time slice). Under
    /// load batches outgrow it and the writer thread overlaps them with the next round.
    static let inlineCommitLimit = 8

    /// Hands the round's messages on. Without a journal they are numbered and forwarded at
    /// once. With one they go to the journal's writer thread as one group commit, unless a
    /// batch is already being stored: they wait, and are numbered when it has been (so a
    /// refused batch never leaves its numbers used by the next). The loop forwards a stored
    /// batch when the writer answers (`journalAnswered`).
    func flushOutbox() throws {
        guard !outbox.isEmpty else { return }
        guard let pipeline else {
            let messages = takeOutbox()
            let (numbering, stamps) = number(messages)
            registry.commit()
            forwardStored(NumberedBatch(messages: messages, numbering: numbering, stamps: stamps, changes: .none))
            return
        }
        guard !pipeline.isBusy else { return }
        submit(takeOutbox(), to: pipeline)
    }

    /// Waits until no batch is being stored, forwarding the one that was: the journal is then
    /// the loop's alone, for a read, retention, or closing.
    func settleJournal() {
        guard let pipeline, let outcome = pipeline.waitForOutcome() else { return }
        journalAnswered(outcome)
    }

    /// Takes the writer's answer, if it came, and sends the next batch.
    func collectCommit() throws {
        guard let pipeline, let outcome = pipeline.takeOutcome() else { return }
        journalAnswered(outcome)
        try flushOutbox()
    }

    private func takeOutbox() -> [OutgoingMessage] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
    }

    /// The sequencer's stage: numbers after everything stored, pure until stored; the registry's
    /// records note their messages' sequences. The caller detaches the registry's changes.
    private func number(_ messages: [OutgoingMessage]) -> (numbering: Sequencer.Numbering, stamps: [[UInt8]]) {
        let numbering = sequencer.number(messages.lazy.map(\.topic))
        var stamps: [[UInt8]] = []
        stamps.reserveCapacity(messages.count)
        for (message, numbers) in zip(messages, numbering.stamps) {
            stamps.append(MessageCodec.encodeStamp(HubStamp(hub: configuration.hubID, seq: numbers.sequence, topicSeq: numbers.topicSequence)))
            if let referral = message.referral { registry.stamp(referral, sequence: numbers.sequence) }
        }
        return (numbering, stamps)
    }

    /// The journal writer's stage: numbers the batch and hands it, with the registry records it
    /// changed (one transaction), to the writer thread.
    private func submit(_ messages: [OutgoingMessage], isRetry: Bool = false, to pipeline: JournalPipeline) {
        let (numbering, stamps) = number(messages)
        // The records as the batch leaves them, stamped with its sequences.
        let referrals = registry.pending
        let batch = NumberedBatch(
            messages: messages, numbering: numbering, stamps: stamps, changes: registry.detachPending(), isRetry: isRetry)
        // A status update closes its referral when the registry's record, after the move, is closed.
        let closed = messages.compactMap { message -> String? in
            guard message.header.type == .referralStatus, let referral = message.referral, registry[referral]?.isClosed == true else { return nil }
            return message.header.correlationid.map(Identifier.text)
        }
        committing = batch
        let job = JournalPipeline.Job(
            batch: messages, numbers: batch.numbering.stamps, referrals: referrals, closed: closed, receivedAt: Date())
        guard messages.count > Self.inlineCommitLimit else {
            journalAnswered(pipeline.commitHere(job))
            return
        }
        pipeline.submit(job)
    }

    /// The writer's answer for the batch in flight. Stored: it is forwarded. Refused: nothing
    /// of it is forwarded and no number is used; the messages admitted while it was being
    /// stored were judged against its registry changes, so they are refused with it (honest and
    /// simple: every publisher of either may send again). The rejections and the hub's own
    /// messages get one more attempt, waited for here; if it fails too they are dropped.
    private func journalAnswered(_ outcome: JournalPipeline.Outcome) {
        guard let batch = committing else { return }
        committing = nil
        switch outcome {
        case .success(let duration):
            noteCommit(messages: batch.messages.count, duration: duration, failure: nil)
            forwardStored(batch)
        case .failure(let error):
            registry.rollback()
            registry.rollback(batch.changes)
            let admittedSince = takeOutbox()
            guard !batch.isRetry else {
                let dropped = batch.messages.count + admittedSince.count
                counters.journalFailures += UInt64(dropped)
                noteCommit(messages: dropped, duration: .zero, failure: error.message)
                logger.error(
                    "journal failed again: rejections and hub messages dropped",
                    metadata: ["count": "\(dropped)", "error": "\(error)"])
                return
            }
            refuse(batch.messages + admittedSince, because: error)
            guard let pipeline, !outbox.isEmpty else { return }
            submit(takeOutbox(), isRetry: true, to: pipeline)
            settleJournal()
        }
    }

    /// Forwarding, the last stage and its one place: a batch reaches the egress only here,
    /// once stored (durable, with `--durability full`) or when the hub does not journal; the
    /// confirmed publishers hear back after the same commit.
    private func forwardStored(_ batch: NumberedBatch) {
        sequencer.commit(batch.numbering)
        counters.lastSequence = sequencer.lastSequence
        let sent = forwarder.forward(batch.messages, stamps: batch.stamps, logger: logger, recycle: recycle)
        observer?.forwarded(zip(batch.numbering.stamps, batch.messages).map { ($0.sequence, $1.topic) })
        counters.accepted += UInt64(sent.fromPublishers)
        counters.messagesOut += UInt64(sent.messages)
        counters.bytesOut += UInt64(sent.bytes)
        acknowledgeStored(batch.messages, stamps: batch.numbering.stamps.map { ($0.sequence, $0.topicSequence) })
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
        settleJournal()
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
        settleJournal()
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
