import Foundation
import TansiqHub
import TansiqCharts
import TansiqMessages

extension SimulationReport {
    /// Builds the report from what the recorder saw.
    init(
        topology: Topology, plan: ScenarioPlan, timeScale: Double, mode: String, recorded: SimulationRecorder.State,
        hub: HubCounters, faults: [FaultRunner.Record], scenarioStart: Date, notes: [String], wallSeconds: Double
    ) {
        self.topology = topology.name
        seed = plan.seed
        self.timeScale = timeScale
        self.mode = mode
        self.notes = notes
        simulatedHours = topology.general.end.seconds / 3600
        self.wallSeconds = wallSeconds
        agents = plan.agents.count
        cases = plan.cases.count
        let records = recorded.order.compactMap { id in recorded.referrals[id].map { (id, $0) } }

        // Partners (or the hub) still down when the run ended: what was sent for them waits,
        // in the hub's journal (or the referrer's outbox while the hub is down), for their return.
        var downAgencies: Set<String> = []
        var hubDownSince: Date?
        for record in faults where record.startedAt != nil && record.endedAt == nil {
            switch record.fault {
            case .offline: downAgencies.insert(record.node)
            case .hubRestart: hubDownSince = min(hubDownSince ?? .distantFuture, record.startedAt!)
            case .slow: break
            }
        }
        // An open referral waits only if every provider of its category was down: one that was
        // up and never received it lost it.
        let providers = Dictionary(grouping: topology.nodes.flatMap { node in node.services.map { ($0.category.rawValue, node.id) } },
                                   by: \.0).mapValues { Set($0.map(\.1)) }
        func isUnreceived(_ record: SimulationRecorder.Record) -> Bool {
            if let to = record.to { return !record.receivedBy.contains(to) }
            return record.receivedBy.isEmpty
        }
        func isWaiting(_ record: SimulationRecorder.Record) -> Bool {
            guard isUnreceived(record) else { return false }
            if let hubDownSince, record.sentAt >= hubDownSince { return true }
            if let to = record.to { return downAgencies.contains(to) }
            let offering = providers[record.category] ?? []
            return !offering.isEmpty && offering.isSubset(of: downAgencies)
        }
        func isLost(_ record: SimulationRecorder.Record) -> Bool {
            isUnreceived(record) && !isWaiting(record)
        }
        // Statuses published in the run's last real second may still be on their way.
        let inFlightFrom = scenarioStart.addingTimeInterval(topology.general.end.seconds - timeScale)
        func counts(_ records: [(UUID, SimulationRecorder.Record)]) -> Counts {
            var counts = Counts()
            for (_, record) in records {
                counts.claimsLost += record.claimLostBy.count
                for (key, at) in record.published {
                    counts.statusUpdates += 1
                    guard !record.seenByReferrer.contains(key) else { continue }
                    if record.claimLostBy.contains(key.agency) {
                        // A losing claim: the hub gave the referral to the first claimant.
                        continue
                    } else if record.refusedFrom.contains(key.agency) {
                        counts.refusedStatusUpdates += 1
                    } else if at < inFlightFrom { counts.lostStatusUpdates += 1 } else { counts.statusUpdatesInFlight += 1 }
                }
                counts.created += 1
                if record.to == nil { counts.open += 1 }
                if isLost(record) {
                    counts.lost += 1
                } else if isWaiting(record) {
                    counts.waiting += 1
                } else {
                    counts.received += 1
                }
                if record.states[.accepted] != nil { counts.accepted += 1 }
                if let reason = record.rejection {
                    counts.rejected += 1
                    counts.rejectedByReason[reason, default: 0] += 1
                }
                if record.states[.completed] != nil { counts.completed += 1 }
                if record.states[.failed] != nil { counts.failed += 1 }
                if !record.escalations.isEmpty { counts.escalated += 1 }
                for deadline in record.escalations { counts.escalatedByDeadline[deadline, default: 0] += 1 }
                if !isUnreceived(record), record.states[.accepted] == nil, record.rejection == nil { counts.unanswered += 1 }
            }
            return counts
        }
        func latencies(_ records: [(UUID, SimulationRecorder.Record)], _ states: [ReferralState]) -> Percentiles? {
            Percentiles(records.compactMap { _, record in
                states.compactMap { record.states[$0] }.min().map { $0.timeIntervalSince(record.sentAt) / 3600 }
            })
        }
        func group(_ name: String, _ records: [(UUID, SimulationRecorder.Record)]) -> Group {
            Group(
                name: name, counts: counts(records),
                acknowledge: latencies(records, [.received]),
                decide: latencies(records, [.accepted, .rejected]),
                complete: latencies(records, [.completed]))
        }

        referrals = counts(records)
        categories = ServiceCategory.allCases.compactMap { category in
            let members = records.filter { $0.1.category == category.rawValue }
            return members.isEmpty ? nil : group(category.rawValue, members)
        }
        agencies = topology.nodes.map { node in
            var entry = group(node.id, records.filter { ($0.1.answerer ?? $0.1.to) == node.id })
            entry.sent = records.filter { $0.1.from == node.id }.count
            if !node.services.isEmpty {
                let capacity = node.services.reduce(0) { $0 + $1.capacity }
                let peak = recorded.peak[node.id, default: 0]
                entry.capacity = capacity
                entry.peakInUse = peak
                entry.peakUse = Double(peak) / Double(capacity)
            }
            return entry
        }
        // Closed: the answerer's final move; a lost or unanswered referral stays in the backlog.
        timeline = ArrivalsAndBacklog(
            records.map { _, record in
                ArrivalsAndBacklog.Item(
                    group: record.category, arrived: record.sentAt,
                    closed: [ReferralState.completed, .failed, .rejected, .cancelled].compactMap { record.states[$0] }.min())
            },
            from: scenarioStart, to: scenarioStart.addingTimeInterval(topology.general.end.seconds),
            order: ServiceCategory.allCases.map(\.rawValue))
        bottlenecks = Self.bottlenecks(agencies)
        self.hub = HubTraffic(
            messagesIn: hub.messagesIn, messagesOut: hub.messagesOut, rejected: hub.rejected,
            messagesPerSecond: wallSeconds > 0 ? Double(hub.messagesIn) / wallSeconds : 0)
        lostReferrals = records.filter { isLost($0.1) }.prefix(50).map { id, record in
            LostReferral(referral: id.uuidString.lowercased(), from: record.from, to: record.to, category: record.category)
        }
        faultsNotExecuted = []
        var lostStatuses: [LostStatusUpdate] = []
        for (id, record) in records where lostStatuses.count < 50 {
            for (key, at) in record.published.sorted(by: { $0.value < $1.value })
            where !record.seenByReferrer.contains(key) && !record.refusedFrom.contains(key.agency)
                && !record.claimLostBy.contains(key.agency) && at < inFlightFrom {
                lostStatuses.append(LostStatusUpdate(
                    referral: id.uuidString.lowercased(), referrer: record.from, by: key.agency, state: key.state.rawValue,
                    publishedHours: at.timeIntervalSince(scenarioStart) / 3600, open: record.to == nil))
            }
        }
        lostStatusUpdates = lostStatuses
        self.faults = faults.map { record in
            let window = (record.startedAt ?? .distantFuture)..<(record.endedAt ?? .distantFuture)
            let offered = Set(topology.node(id: record.node)?.services.map(\.category.rawValue) ?? [])
            let during = records.filter { _, referral in
                window.contains(referral.sentAt)
                    && (record.fault.kind == "hub-restart" || referral.to == record.node || (referral.to == nil && offered.contains(referral.category)))
            }
            return FaultRun(
                fault: Self.describe(record.fault), kind: record.fault.kind, node: record.node,
                fromHours: record.from / 3600, untilHours: record.until / 3600,
                startedHours: record.startedAt.map { $0.timeIntervalSince(scenarioStart) / 3600 },
                endedHours: record.endedAt.map { $0.timeIntervalSince(scenarioStart) / 3600 },
                actions: record.actions, referralsDuring: during.count, lostDuring: during.filter { isLost($0.1) }.count)
        }
    }

    /// The three agencies with most rejections at capacity, then the slowest to decide.
    private static func bottlenecks(_ agencies: [Group]) -> [Bottleneck] {
        let ranked = agencies.filter { $0.counts.created > 0 }.map { agency in
            Bottleneck(
                agency: agency.name, rejectedAtCapacity: agency.counts.rejectedByReason["at-capacity", default: 0],
                decideP90: agency.decide?.p90, reason: "")
        }.sorted {
            ($0.rejectedAtCapacity, $0.decideP90 ?? 0) > ($1.rejectedAtCapacity, $1.decideP90 ?? 0)
        }
        return ranked.prefix(3).map { entry in
            var entry = entry
            let wait = entry.decideP90.map { "9 in 10 decided within \(DurationUnit(fittingHours: $0).text(hours: $0))" } ?? "nothing decided"
            entry.reason = entry.rejectedAtCapacity > 0
                ? "\(entry.rejectedAtCapacity) rejected at capacity; \(wait)" : wait
            return entry
        }
    }

    private static func describe(_ fault: Topology.Fault) -> String {
        switch fault {
        case let .offline(node, from, until, signal): return "offline \(node) from \(from) until \(until) (SIG\(signal.rawValue.uppercased()))"
        case let .slow(node, factor, from, until): return "slow \(node) ×\(factor) from \(from) until \(until)"
        case let .hubRestart(hub, at, down): return "hub-restart \(hub) at \(at), down \(down)"
        }
    }
}
