import Foundation
import TansiqMessages

// The Clone pattern of the ZeroMQ Guide: subscribe, wait until the subscription is effective
// (our own presence came back), replay from the hub's journal everything after the last
// sequence processed, then apply live messages above it. A message is applied once: by its
// topic's sequence when the topic was seen since start, by the saved cursor otherwise.
extension AgentLoop {
    /// The prefixes replayed: every subscription but our own presence echo.
    var replayPrefixes: [String] { subscriptions }

    /// Replays what the agent missed since its cursor; on `sequence-in-future` (a new hub with a
    /// new journal) moves the cursor to the hub's head. A failure is logged and the agent goes live.
    func catchUp() {
        guard let client = replayClient else { return }
        // From the verified sequence: a message dropped below the cursor on a topic with nothing
        // after it is found again; the topic cursors keep the others from being applied twice.
        let cursorSequence = context.cursor?.sequence ?? 0
        let after = context.topicCursorsComplete ? min(verifiedSequence ?? cursorSequence, cursorSequence) : cursorSequence
        do {
            var applied = 0
            let outcome = try client.replay(
                prefixes: replayPrefixes, after: after, pageSize: configuration.replayPageSize, timeout: configuration.replayTimeout
            ) { message in
                apply(message.envelope, stamp: message.stamp)
                applied += 1
                // Group commit: a long catch-up is saved as it goes, not only at its end.
                if applied % 500 == 0 { context.save() }
            }
            context.save()
            verifiedSequence = max(outcome.headSequence, context.cursor?.sequence ?? 0)
            logger.info("caught up", metadata: [
                "after": "\(after)", "replayed": "\(outcome.count)", "pages": "\(outcome.pages)", "head": "\(outcome.headSequence)",
            ])
            context.emit(.caughtUp(replayed: outcome.count, lastSequence: max(outcome.lastSequence, context.cursor?.sequence ?? 0)))
        } catch where error.code == .sequenceInFuture {
            let head = error.headSequence ?? 0
            logger.warning("the hub's journal is behind this agent's cursor: a new hub; starting from its head", metadata: [
                "cursor": "\(after)", "head": "\(head)", "hub": "\(error.hub ?? "unknown")",
            ])
            context.cursor = StreamCursor(hub: error.hub ?? context.cursor?.hub ?? "unknown", sequence: head)
            context.resetTopicCursors()
            verifiedSequence = head
            context.save()
            context.emit(.caughtUp(replayed: 0, lastSequence: head))
        } catch {
            context.save()
            logger.error("catch-up failed; going live without the missed messages", metadata: [
                "replay": "\(client.endpoint)", "error": "\(error)",
            ])
        }
    }

    /// A live message: replays the gap first if its topic's sequence jumped, then applies it
    /// unless it was already applied.
    func receiveLive(_ envelope: Envelope, stamp: HubStamp?) {
        guard let stamp else {
            dispatch(envelope)
            return
        }
        let topic = envelope.topic.description
        if let last = context.topicCursors[topic], stamp.topicSeq > last.topicSeq + 1, stamp.seq > last.seq {
            logger.warning("gap in topic sequence", metadata: ["topic": "\(topic)", "expected": "\(last.topicSeq + 1)", "received": "\(stamp.topicSeq)"])
            context.emit(.gap(topic: topic, expected: last.topicSeq + 1, received: stamp.topicSeq))
            fillGap(topic: topic, after: last.seq, through: stamp.seq)
        }
        apply(envelope, stamp: stamp)
    }

    /// Applies a stamped message once, and moves the cursor past it. `missed` skips the check
    /// against the cursor: the caller knows the message was never applied.
    func apply(_ envelope: Envelope, stamp: HubStamp, missed: Bool = false) {
        let topic = envelope.topic.description
        guard missed || !isDuplicate(topic: topic, stamp: stamp) else { return }
        context.moveTopicCursor(topic, to: TopicCursor(topicSeq: stamp.topicSeq, seq: stamp.seq))
        if let cursor = context.cursor, cursor.hub == stamp.hub {
            if stamp.seq > cursor.sequence { context.cursor?.sequence = stamp.seq }
        } else {
            if let cursor = context.cursor {
                logger.warning("messages from another hub; following its stream", metadata: ["was": "\(cursor.hub)", "now": "\(stamp.hub)"])
            }
            context.cursor = StreamCursor(hub: stamp.hub, sequence: stamp.seq)
        }
        dispatch(envelope)
    }

    private func isDuplicate(topic: String, stamp: HubStamp) -> Bool {
        if let last = context.topicCursors[topic] { return stamp.topicSeq <= last.topicSeq }
        // Topic cursors name every topic applied on: this one has nothing applied.
        if context.topicCursorsComplete { return false }
        guard let cursor = context.cursor, cursor.hub == stamp.hub else { return false }
        return stamp.seq <= cursor.sequence
    }

    /// Replays one topic after the last sequence applied on it, applying only that exact topic
    /// up to the message that revealed the gap: later ones arrive live, and the cursor must not
    /// pass messages of other topics still waiting in the socket.
    private func fillGap(topic: String, after: UInt64, through last: UInt64) {
        guard let client = replayClient else { return }
        var recovered = 0
        do {
            _ = try client.replay(
                prefixes: [topic], after: after, pageSize: configuration.replayPageSize, timeout: configuration.replayTimeout
            ) { message in
                // Past the message that revealed the gap: stop reading (the client drops the rest).
                guard message.stamp.seq <= last else { throw GapFilled() }
                guard message.envelope.topic.description == topic else { return }
                apply(message.envelope, stamp: message.stamp)
                recovered += 1
            }
        } catch where error.code != .delivery {
            logger.error("gap not recovered", metadata: ["topic": "\(topic)", "error": "\(error)"])
            return
        } catch {}
        logger.info("gap recovered by replay", metadata: ["topic": "\(topic)", "replayed": "\(recovered)"])
    }

    /// Ends a gap's replay once it reached the message that revealed the gap.
    private struct GapFilled: Error {}

    /// Our heartbeat's echo at `echo` came after every message the hub sent us before it: those
    /// not applied were dropped on the way (a full queue). Finds them in the journal, including
    /// the last message of a topic, which no later message would reveal as a gap. Returns how
    /// many it recovered.
    @discardableResult
    func verifyDelivery(before echo: UInt64) -> Int {
        guard let client = replayClient, let verified = verifiedSequence else { return 0 }
        guard echo > verified + 1 else { return 0 }
        var recovered = 0
        do {
            _ = try client.replay(
                prefixes: replayPrefixes, after: verified, pageSize: configuration.replayPageSize, timeout: configuration.replayTimeout
            ) { message in
                // Later ones may still be on their way live.
                guard message.stamp.seq < echo else { throw GapFilled() }
                let topic = message.envelope.topic.description
                // Applied already: by its topic's sequence if the topic was seen since start; a
                // topic not seen since start has applied nothing above the verified sequence.
                if let last = context.topicCursors[topic], message.stamp.topicSeq <= last.topicSeq { return }
                apply(message.envelope, stamp: message.stamp, missed: true)
                recovered += 1
            }
        } catch where error.code != .delivery {
            logger.error("delivery check failed", metadata: ["error": "\(error)"])
            return 0
        } catch {}
        verifiedSequence = echo
        guard recovered > 0 else { return 0 }
        context.save()
        logger.warning("messages dropped on the way recovered from the journal", metadata: [
            "after": "\(verified)", "before": "\(echo)", "recovered": "\(recovered)",
        ])
        context.emit(.caughtUp(replayed: UInt64(recovered), lastSequence: context.cursor?.sequence ?? echo))
        return recovered
    }

    /// Our heartbeats come back in order and are never replayed: if their topic sequence goes
    /// back, the hub's stream started again (a hub without a journal restarted), and the
    /// sequences seen so far mean nothing.
    func checkStreamRestart(echo stamp: HubStamp) {
        defer { lastPresenceEcho = stamp }
        guard let last = lastPresenceEcho, stamp.hub != last.hub || stamp.topicSeq <= last.topicSeq else { return }
        logger.warning("the hub's stream started again; forgetting its old sequence numbers", metadata: [
            "hub": "\(stamp.hub)", "sequence": "\(stamp.seq)",
        ])
        context.resetTopicCursors()
        context.cursor = StreamCursor(hub: stamp.hub, sequence: 0)
        if isReady { catchUp() }
    }
}
