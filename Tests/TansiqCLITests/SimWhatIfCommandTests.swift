import Foundation
import Testing

/// `tansiq sim compare` and `tansiq sim sweep` as a programme officer runs them.
@Suite("tansiq sim compare and sweep", .serialized)
struct SimWhatIfCommandTests {
    private struct Table: Decodable {
        struct Interval: Decodable { var values: [Double]; var low: Double; var high: Double }
        struct Row: Decodable { var metric: String; var intervals: [Interval]; var difference: Interval? }
        var columns: [String]
        var seeds: [UInt64]
        var rows: [Row]
    }

    private static let minimal = ChildProcess.packageRoot.appendingPathComponent("Topologies/minimal.yaml").path

    @Test(.timeLimit(.minutes(3)))
    func aPlanComparedWithItselfDiffersByNothingOnEverySeed() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("what-if-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("reports/compare.json").path
        let html = scratch.appendingPathComponent("reports/compare.html").path
        let compare = try ChildProcess("tansiq", [
            "sim", "compare", Self.minimal, Self.minimal, "--seeds", "2", "--insecure", "--threads", "1",
            "--json-report", json, "--html-report", html,
        ])
        #expect(compare.waitForExit() == 0, "\(compare.standardError)")
        let table = try JSONDecoder().decode(Table.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(table.seeds.count == 2 && table.columns.count == 2)
        let completed = try #require(table.rows.first { $0.metric == "completed" })
        #expect(completed.intervals[0].values == completed.intervals[1].values)
        // The same seeds on the same plan: the same report, so every difference is exactly 0.
        #expect(table.rows.allSatisfy { $0.difference.map { $0.low == 0 && $0.high == 0 } ?? true })
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<table"))
        // Two plans of one name are told apart by their files.
        #expect(page.contains("minimal.yaml vs "), "\(page.prefix(400))")
    }

    @Test(.timeLimit(.minutes(3)))
    func aSweepHasAColumnPerValueAndPlotsThem() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("what-if-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("sweep.json").path
        let html = scratch.appendingPathComponent("sweep.html").path
        let sweep = try ChildProcess("tansiq", [
            "sim", "sweep", Self.minimal, "--set", "nodes.health-office.capacity=1..3/2", "--seeds", "2", "--insecure",
            "--json-report", json, "--html-report", html,
        ])
        #expect(sweep.waitForExit() == 0, "\(sweep.standardError)")
        let table = try JSONDecoder().decode(Table.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(table.columns == ["1", "3"])
        #expect(table.rows.allSatisfy { $0.intervals.count == 2 })
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<polyline"))
    }

    @Test(arguments: [
        (["--seeds", "0"], "--seeds must be between 1 and 100"),
        (["--threads", "0"], "--threads must be between 1 and 1024"),
        (["--time-step", "0m"], "--time-step must be longer than zero, not 0m"),
    ])
    func badOptionsAreNamedAndExit64(options: [String], message: String) throws {
        let compare = try ChildProcess("tansiq", ["sim", "compare", Self.minimal, Self.minimal, "--insecure"] + options)
        #expect(compare.waitForExit() == 64)
        #expect(compare.standardError.contains(message), "\(compare.standardError)")
    }
}
