import Foundation
import Logging
import TansiqMessages

extension HubLoop {
    /// Loads the registry from the journal's database, or starts an empty one (no journal).
    static func loadRegistry(journal: Journal?, rules: RegistryRules, logger: Logger) throws -> ReferralRegistry {
        guard let journal else { return ReferralRegistry(rules: rules) }
        let started = ContinuousClock.now
        let records: [ReferralRecord]
        do {
            records = try journal.loadReferrals()
        } catch {
            throw HubError(code: .journalUnavailable, message: "cannot load the referral registry: \(error.message)")
        }
        let registry = ReferralRegistry(rules: rules, records: records)
        logger.info(
            "referral registry loaded",
            metadata: ["referrals": "\(registry.count)", "open": "\(registry.openCount)", "duration": "\(ContinuousClock.now - started)"])
        return registry
    }

    /// A journal written before the registry existed: its referral and status messages are
    /// applied once, in stream order and without checks, and the result is stored.
    func rebuildRegistryIfNeeded() throws {
        guard let journal else { return }
        do {
            guard try journal.registryNeedsRebuild() else { return }
            var after: UInt64 = 0
            while true {
                let page = try journal.records(after: after, prefixes: ["referral/", "status/"], limit: 5000)
                guard let last = page.last else { break }
                for record in page {
                    guard let accepted = revalidate([Array(record.topic.utf8), record.header, record.body]),
                          let payload = accepted.payload
                            ?? (try? MessageCodec.decode(topic: accepted.topic, header: accepted.header, body: record.body).payload)
                    else { continue }
                    _ = registry.admit(
                        payload, topic: accepted.topic, sender: accepted.header.source, bodyDigest: { ReferralRecord.digest(record.body, $0) },
                        now: record.receivedAt, mayClaim: { _, _ in true })
                    if let id = payload.referralID { registry.stamp(id, sequence: record.sequence) }
                }
                after = last.sequence
            }
            let rebuilt = registry.pending
            try journal.storeReferrals(rebuilt)
            registry.commit()
            logger.notice("referral registry rebuilt from the journal", metadata: ["referrals": "\(rebuilt.count)"])
        } catch {
            throw HubError(code: .journalUnavailable, message: "cannot rebuild the referral registry from the journal: \(error)")
        }
    }

    /// Checks a referral, status update, escalation or escalation acknowledgement against the registry (every mode, every
    /// body validation); returns the referral whose record it changed.
    func checkRegistry(_ accepted: AcceptedMessage, frames: OutgoingMessage.Frames, userID: String?) -> Result<UUID?, IngressRejection> {
        let kind = accepted.header.type
        guard kind == .referral || kind == .referralStatus || kind == .escalation || kind == .escalationAcknowledgement else {
            return .success(nil)
        }
        let header = accepted.header
        let sender = gatekeeper.attributedAgency(of: userID, declared: header.source) ?? header.source
        func refuse(_ reason: HubRejection.Reason, _ message: String, referral: UUID? = nil) -> Result<UUID?, IngressRejection> {
            .failure(IngressRejection(
                reason: reason, message: message, messageID: header.id, agency: sender, topic: accepted.topic.rawValue,
                referralID: referral))
        }
        let payload: Payload
        if let decoded = accepted.payload {
            payload = decoded
        } else {
            // Header-only validation still reads the bodies the registry judges (in place).
            let decoded = frames.withFrame(2) { bytes in
                Result { () throws(ProtocolError) in try MessageCodec.decode(topic: accepted.topic, header: header, body: bytes).payload }
            }
            switch decoded {
            case .success(let body): payload = body
            case .failure(let error): return refuse(HubRejection.Reason(error), error.description)
            }
        }
        // A referral's digest is read on the body in place, without a copy.
        let verdict = registry.admit(
            payload, topic: accepted.topic, sender: sender, bodyDigest: { kind in frames.withFrame(2) { ReferralRecord.digest($0, kind) } },
            now: time.now(),
            mayClaim: { agency, topic in gatekeeper.mayClaim(agency, openTopic: topic) })
        switch verdict {
        case .forward(let changed):
            if let changed, case .referral(let referral) = payload, shouldShareWithCoordinator(referral) {
                sharesDue[changed] = (referral, header.id)
            }
            return .success(changed)
        case .refuse(let reason, let message):
            return refuse(reason, message, referral: payload.referralID)
        }
    }

    /// Publishes the de-identified view of a referral whose record changed this round, then,
    /// for a new referral whose consent scope has `share-with-coordinator`, its body to the
    /// coordinator on `hub/shared/<category>/<referrer>` (1.2).
    func publishView(of id: UUID) {
        guard let record = registry[id] else { return }
        do {
            publishOwn(topic: try Topic.hubView(category: record.category, referrer: record.referrer), payload: .referralView(record.view))
            if let due = sharesDue.removeValue(forKey: id) {
                publishOwn(
                    topic: try Topic.hubShared(category: record.category, referrer: record.referrer), payload: .sharedReferral(due.referral),
                    causationID: due.causation, referral: id)
            }
        } catch {
            logger.error("no topic for a referral view", metadata: ["error": "\(error)"])
        }
    }

    /// Consent at delivery (1.2): a new referral's body reaches the coordinator only when its
    /// consent scope says `share-with-coordinator`, and only through the hub's copy when the
    /// coordinator does not get it anyway (as its receiver, or as a provider of an open one).
    func shouldShareWithCoordinator(_ referral: Referral) -> Bool {
        guard let coordinator = configuration.registry.coordinator, referral.consent.scope.contains(.shareWithCoordinator),
              referral.referringAgency != coordinator, referral.receivingAgency != coordinator,
              registry[referral.referralId]?.createdSequence == 0
        else { return false }
        if referral.receivingAgency == nil {
            let openTopic = (try? Topic.openReferral(category: referral.category, referrer: referral.referringAgency).rawValue) ?? ""
            // Insecure, the coordinator's own subscriptions decide; it is told once, here.
            if gatekeeper.isSecure, gatekeeper.mayClaim(coordinator, openTopic: openTopic) { return false }
        }
        return true
    }

    /// Raises an escalation for every deadline that passed without its move: to the referrer
    /// and the coordinator, on `hub/escalation/<referrer>/<category>`, whether or not the
    /// referrer's agent is online.
    func watchDeadlines() throws {
        let now = time.now()
        counters.deadlinesCheckedAt = now
        guard configuration.registry.watchesDeadlines else { return }
        for (passed, deadline) in registry.passedDeadlines(at: now) {
            guard var record = registry[passed.referralId], record.awaits(deadline) else { continue }
            record.escalated.append(deadline)
            record.updatedAt = now
            registry.put(record)
            let escalation = Escalation(
                referralId: record.referralId, referrer: record.referrer, receiver: record.receiver, category: record.category,
                deadline: deadline, dueAt: record.due(deadline), detectedAt: max(now, record.due(deadline)),
                escalatedTo: [record.referrer] + (configuration.registry.coordinator.map { [$0] } ?? []),
                reason: deadline.reason, currentState: record.state)
            logger.warning(
                "referral escalated by the hub",
                metadata: ["referral": "\(ReferralRegistry.text(record.referralId))", "deadline": "\(deadline.rawValue)", "referrer": "\(record.referrer)"])
            publishOwn(
                topic: try Topic.hubEscalation(referrer: record.referrer, category: record.category),
                payload: .hubEscalation(escalation), referral: record.referralId)
        }
    }

    /// Forgets closed referrals past their retention, in memory and in the journal's database.
    func purgeClosedReferrals() {
        let cutoff = time.now().addingTimeInterval(-closedReferralRetention)
        // A batch in flight may hold a record's only undo: it is stored first.
        settleJournal()
        let expired = registry.purgeClosed(before: cutoff)
        guard !expired.isEmpty else { return }
        do {
            try journal?.deleteReferrals(expired)
            logger.info("closed referrals forgotten", metadata: ["count": "\(expired.count)"])
        } catch {
            logger.error("cannot delete closed referrals", metadata: ["error": "\(error)"])
        }
    }
}

extension HubLoop {
    /// How long a closed referral stays in the registry: as long as the journal keeps its
    /// messages (one setting for both, `closed_referral_max_age_seconds`); the registry's own
    /// setting only without a journal.
    var closedReferralRetention: TimeInterval {
        guard let journal = configuration.journal else { return configuration.registry.closedRetention }
        guard let age = journal.retention.closedReferralMaxAge else { return .infinity }
        return Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
    }
}

extension HubLoop {
    /// Counts the registry's open referrals by state and the overdue ones, for the metrics.
    func countReferrals() {
        let now = time.now()
        var byState: [String: Int] = [:]
        var overdue = 0
        for record in registry.all where !record.isClosed {
            byState[record.state.rawValue, default: 0] += 1
            if record.isOverdue(at: now) { overdue += 1 }
        }
        counters.referralsOpenByState = byState
        counters.referralsOverdue = overdue
    }
}
