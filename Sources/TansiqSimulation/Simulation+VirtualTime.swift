import Foundation
import TansiqAgent

extension Simulation {
    /// Where every virtual-time run starts, so that the same seed gives the same times:
    /// 2026-01-01T00:00:00Z.
    static let virtualOrigin = Date(timeIntervalSince1970: 1_767_225_600)

    /// The scenario in virtual time: the agents start and become ready while the clock stands
    /// at its origin; then, until the end, the run waits until nothing is in flight (every agent
    /// certified quiet, see ``VirtualTime``) and moves the clock to the next thing due: an agent's timer, a fault, a
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
        var keepingQuiet = true
        let settling = ContinuousClock.now
        // A tick, so that a wait for certificates also checks the agents' health and its limit.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                virtual.nudge()
            }
        }
        defer {
            ticker.cancel()
            let statistics = virtual.statistics
            notes.append(
                "virtual time: \(jumps) jumps, \(statistics.certificates) quiet certificates, \(statistics.kept) kept across jumps, \(statistics.probes) probes asked for, "
                    + "\(statistics.deliveryChecks) delivery checks replayed, "
                    + "\(String(format: "%.1f", Self.seconds(ContinuousClock.now - settling))) s of real time")
        }
        while true {
            let elapsed = virtual.now().timeIntervalSince(origin)
            let faultsBefore = run.nextTime
            try await run.execute(dueBy: min(elapsed, end), on: fleet, hub: hub)
            // A fault stops or starts an agent or the hub: every agent proves itself again.
            if run.nextTime != faultsBefore { keepingQuiet = false }
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
                if let due = try await settle(virtual, fleet: fleet) { next = min(next, due) }
            } else {
                // Nothing echoes while the hub is down: the agents' outboxes wait for it.
                try await Task.sleep(for: .milliseconds(100))
            }
            // The hub escalates a deadline once it has passed: stop just after it.
            let deadline = recorder.nextDeadline(after: virtual.now())
            if let deadline { next = min(next, deadline.addingTimeInterval(0.001)) }
            next = max(next, virtual.now().addingTimeInterval(0.001))
            if let step = timeStep?.seconds, step > 0 {
                let steps = (next.timeIntervalSince(origin) / step).rounded(.up)
                next = origin.addingTimeInterval(min(end, steps * step))
            }
            virtual.advance(to: next, keepingQuiet: keepingQuiet && hub.isRunning)
            keepingQuiet = hub.isRunning
            jumps += 1
        }
        // What the last instant caused is delivered before the agents stop, an interrupted run's
        // too: what its agents published at the instant it stopped is not lost.
        if hub.isRunning { _ = try await settle(virtual, fleet: fleet, interruptible: false) }
    }

    /// Waits until nothing is in flight (``VirtualTime/verdict()``); returns the earliest timer
    /// of the agents. An interruption ends the wait, unless it is the last one (`interruptible`
    /// false, then bounded to 20 s).
    private func settle(_ virtual: VirtualTime, fleet: any AgentFleet, interruptible: Bool = true) async throws -> Date? {
        let limit = ContinuousClock.now + .seconds(interruptible || !interruption.isRequested ? 120 : 20)
        while true {
            switch virtual.verdict() {
            case .settled(let nextDue):
                return nextDue
            case .waiting(let waiting):
                try fleet.checkHealth()
                guard ContinuousClock.now < limit, !interruptible || !interruption.isRequested else {
                    throw SimulationError(
                        code: .stalled,
                        message: "virtual time stalled at \(virtual.now()): waiting for \(waiting.count) of them: \(waiting.prefix(10).joined(separator: ", "))")
                }
                await virtual.nextChange()
            }
        }
    }
}
