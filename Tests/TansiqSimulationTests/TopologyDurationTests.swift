import Foundation
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

@Suite("Simulated durations and rates")
struct TopologyDurationTests {
    @Test(arguments: [
        ("90s", 90.0), ("15m", 900), ("4h", 14_400), ("30d", 2_592_000), ("2w", 1_209_600),
        ("1d12h", 129_600), ("1.5h", 5400), ("250ms", 0.25), ("0", 0), (" 4h ", 14_400),
    ])
    func parses(text: String, seconds: Double) throws {
        #expect(try SimulatedDuration(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["", "h", "4", "4x", "-1h", "4h-", "1..5h", ".5h", "5.h", "four hours"])
    func rejects(text: String) {
        #expect(throws: SimulatedDuration.FormatError.self) { try SimulatedDuration(parsing: text) }
    }

    @Test(arguments: [
        (14_400.0, "4h"), (2_592_000, "30d"), (1_209_600, "2w"), (5400, "90m"), (90, "90s"), (0, "0s"), (0.25, "250ms"),
    ])
    func printsInTheLargestWholeUnit(seconds: Double, text: String) {
        #expect(SimulatedDuration(seconds: seconds).description == text)
    }

    @Test(arguments: [0.0, 0.25, 1, 59, 61, 3599, 5400, 86_399, 86_400, 129_600, 1_209_600, 1e-4, 12.345])
    func printedDurationsReadBackEqual(seconds: Double) throws {
        let duration = SimulatedDuration(seconds: seconds)
        #expect(try SimulatedDuration(parsing: duration.description) == duration)
    }

    @Test func encodesAsItsSyntax() throws {
        let data = try JSONEncoder().encode([SimulatedDuration.hours(4)])
        #expect(String(decoding: data, as: UTF8.self) == "[\"4h\"]")
        #expect(try JSONDecoder().decode([SimulatedDuration].self, from: Data("[\"2w\", 60]".utf8)) == [.weeks(2), .minutes(1)])
    }

    @Test func ordersAndAdds() {
        #expect(SimulatedDuration.hours(23) < .days(1))
        #expect(SimulatedDuration.days(1) + .hours(12) == .hours(36))
        #expect(SimulatedDuration.days(30).realSeconds(timeScale: 86_400) == 30)
    }

    @Test func ratesReadAsEventsPerSpan() throws {
        let daily = try #require(Topology.Rate(parsing: "12/d"))
        #expect(daily.meanInterval == .hours(2))
        #expect(daily.description == "12/d")
        #expect(Topology.Rate(parsing: "3/2h")?.meanInterval == .minutes(40))
        #expect(Topology.Rate(parsing: "3/2h")?.description == "3/2h")
        for bad in ["12", "12/", "/d", "0/d", "-1/d", "12/x", "a/d"] {
            #expect(Topology.Rate(parsing: bad) == nil, "\(bad)")
        }
    }
}
