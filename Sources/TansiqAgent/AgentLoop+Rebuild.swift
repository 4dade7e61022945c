import Foundation
import TansiqMessages

// An agent that lost its state file (no cursor, an empty book) rebuilds its referrals from the
// hub before its behaviour starts: the messages of its subscriptions from sequence 0, as any
// catch-up, merged in stream order with the referrals and moves it published itself, which it
// asks for with `sentBy` (protocol 1.2; the hub returns an agency's own messages only, whatever
// topic they went to). The book is rebuilt without the behaviour seeing anything; the behaviour
// then resumes from the rebuilt book as after a restart.
extension AgentLoop {
    /// Whether this start has nothing to resume from but a hub to rebuild from.
    var needsRebuild: Bool {
        replayClient != nil && context.cursor == nil && context.referrals.count == 0
    }

    func rebuildFromHub() {
        guard let client = replayClient else { return }
        let agency = configuration.agency
        var own: [(envelope: Envelope, seq: UInt64)] = []
        do {
            _ = try client.replay(
                prefixes: ["referral/", "status/"], after: 0, pageSize: configuration.replayPageSize, timeout: configuration.replayTimeout,
                sentBy: agency
            ) { message in
                // A hub that ignored `sentBy` (older than 1.2) would return others' messages too.
                if message.envelope.header.source == agency { own.append((message.envelope, message.stamp.seq)) }
            }
        } catch {
            logger.error("cannot read this agency's own messages back from the hub; rebuilding from the others' only", metadata: [
                "replay": "\(client.endpoint)", "error": "\(error)",
            ])
        }
        guard !own.isEmpty else { return }
        rebuilding = true
        defer { rebuilding = false }
        var next = own.startIndex
        func applyOwn(before sequence: UInt64) {
            while next < own.endIndex, own[next].seq < sequence {
                applyOwnMessage(own[next].envelope)
                next += 1
            }
        }
        var replayed = 0
        do {
            _ = try client.replay(
                prefixes: replayPrefixes, after: 0, pageSize: configuration.replayPageSize, timeout: configuration.replayTimeout
            ) { message in
                applyOwn(before: message.stamp.seq)
                apply(message.envelope, stamp: message.stamp)
                replayed += 1
            }
        } catch {
            logger.error("rebuild from the hub cut short", metadata: ["replay": "\(client.endpoint)", "error": "\(error)"])
        }
        applyOwn(before: .max)
        context.save()
        logger.notice("referrals rebuilt from the hub", metadata: [
            "referrals": "\(context.referrals.count)", "own-messages": "\(own.count)", "replayed": "\(replayed)",
        ])
    }

    /// A referral or move this agency published, read back from the hub.
    private func applyOwnMessage(_ envelope: Envelope) {
        switch envelope.payload {
        case .referral(let referral) where referral.referringAgency == configuration.agency:
            if context.referrals.record(referral, part: .referrer, at: envelope.header.time, messageID: envelope.header.id) {
                context.referrals.markProcessed(referral.referralId, at: envelope.header.time)
            }
        case .referralStatus(let update) where update.changedBy == configuration.agency:
            guard let tracked = context.referrals[update.referralId], !tracked.hasApplied(update) else { return }
            do {
                try context.referrals.apply(update)
                context.referrals.recordPublished(update)
            } catch {
                logger.debug("own move not applied in the rebuild", metadata: ["referral": "\(update.referralId)", "error": "\(error)"])
            }
        default:
            break
        }
    }
}
