import ArgumentParser
import TansiqAgent

/// `--time-step`: the grid a virtual-time run's clock moves on, for `sim run`, `compare` and `sweep`.
struct TimeStepOption: ParsableArguments {
    @Option(name: .long, help: "In virtual time, move the clock in steps of this simulated span (30s, 5m, 1h): what falls due within a step happens at its end. Faster for a large network; times late by up to a step, and runs with the same seed no longer give the same report event for event (default: every event at its own time).")
    var timeStep: String?

    /// The step asked for, if any.
    var step: SimulatedDuration? {
        get throws {
            guard let timeStep else { return nil }
            let step: SimulatedDuration
            do { step = try SimulatedDuration(parsing: timeStep) } catch { throw ValidationError("--time-step: \(error)") }
            guard step.seconds > 0 else { throw ValidationError("--time-step must be longer than zero, not \(timeStep)") }
            return step
        }
    }

    func validate() throws {
        _ = try step
    }
}
