import Foundation
import TansiqAgent

extension Simulation {
    /// Where every virtual-time run starts, so that the same seed gives the same times:
    /// 2026-01-01T00:00:00Z.
    static let virtualOrigin = Date(timeIntervalSince1970: 1_767_225_600)

    /// The scenario in virtual time: the agents start and become ready while the clock stands
    /// at its origin; then, until the end, the run lets every agent settle (two quiet epochs, see
    /// ``VirtualTime``) and moves the clock to the next thing due: an agent's timer, a fault, a
    /// referral's deadline (so that the hub escalates when it passes), or the end.
    func playVirtual(
        _ virtual: VirtualTime, fleet: any AgentFleet, hub: SimulatedHub, recorder: SimulationRecorder, run: inout FaultRunner,
        notes: inout [String], progress: (@Sendable (SimulationProgress) -> Void)?
    ) async throws {
        // A referral sent before its receiver subscribes is lost: referrers start last.
        try await fleet.start(plan.agents.filter { !$0.refers })
        let origin = virtual.now()
        run.scenarioStart = origin
        try await fleet.start(plan.agents.filter(\.refers).map { planned in
            var planned = planned
            planned.referrer?.casesFrom = origin
            return planned
        })
        let end = topology.general.end.seconds
        var lastProgress = ContinuousClock.now - .seconds(1)
        var jumps = 0
        let settling = ContinuousClock.now
        defer {
            notes.append("virtual time: \(jumps) jumps, \(virtual.epoch) epochs, \(String(format: "%.1f", Self.seconds(ContinuousClock.now - settling))) s of real time")
        }
        while true {
            let elapsed = virtual.now().timeIntervalSince(origin)
            try await run.execute(dueBy: min(elapsed, end), on: fleet, hub: hub)
            try fleet.checkHealth()
            if ContinuousClock.now - lastProgress >= .milliseconds(500) || elapsed >= end {
                lastProgress = ContinuousClock.now
                let counts = recorder.progress
                progress?(SimulationProgress(simulated: .seconds(min(elapsed, end)), end: topology.general.end, sent: counts.sent, completed: counts.completed))
            }
            guard elapsed < end else { break }
            if interruption.isRequested {
                notes.append(String(
                    format: "INTERRUPTED at %.1f of %.1f simulated days: a partial report; referrals still in flight count as not completed",
                    elapsed / 86_400, end / 86_400))
                break
            }
            var next = origin.addingTimeInterval(min(end, run.nextTime ?? end))
            if hub.isRunning {
                if let due = try await settle(virtual, fleet: fleet, epochs: 2) { next = min(next, due) }
            } else {
                // Nothing echoes while the hub is down: the agents' outboxes wait for it.
                try await Task.sleep(for: .milliseconds(100))
            }
            // The hub escalates a deadline once it has passed: stop just after it.
            let deadline = recorder.nextDeadline(after: virtual.now())
            if let deadline { next = min(next, deadline.addingTimeInterval(0.001)) }
            next = max(next, virtual.now().addingTimeInterval(0.001))
            virtual.advance(to: next)
            jumps += 1
        }
        // What the last instant caused is delivered before the agents stop.
        if hub.isRunning { _ = try await settle(virtual, fleet: fleet, epochs: 2) }
    }

    /// Waits until `epochs` consecutive epochs find every agent quiet with no activity
    /// meanwhile; returns the earliest timer of the agents. Two are needed: a message published
    /// before the first epoch may still be on its way to an agent that answered that epoch's
    /// probe early; every one is delivered before the second epoch's probes come back (and the
    /// hub has acted on the new time, its escalations with them).
    private func settle(_ virtual: VirtualTime, fleet: any AgentFleet, epochs: Int) async throws -> Date? {
        let limit = ContinuousClock.now + .seconds(120)
        while true {
            let before = virtual.activity
            var due: Date?
            var clean = true
            for _ in 0..<epochs {
                due = try await epoch(virtual, fleet: fleet, limit: limit)
                guard virtual.activity == before else {
                    clean = false
                    break
                }
            }
            if clean { return due }
        }
    }

    private func epoch(_ virtual: VirtualTime, fleet: any AgentFleet, limit: ContinuousClock.Instant) async throws -> Date? {
        let epoch = virtual.startEpoch()
        var checks = 0
        while true {
            let state = virtual.quiet(in: epoch)
            if state.complete { return state.nextDue }
            checks += 1
            if checks % 500 == 0 { try fleet.checkHealth() }
            guard ContinuousClock.now < limit, !interruption.isRequested else {
                throw SimulationError(code: .stalled, message: "virtual time stalled at \(virtual.now()): \(state.waiting.count) agent(s) never became quiet: \(state.waiting.prefix(10).joined(separator: ", "))")
            }
            try await Task.sleep(for: .microseconds(100))
        }
    }
}
