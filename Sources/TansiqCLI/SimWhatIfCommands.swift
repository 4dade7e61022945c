import ArgumentParser
import Foundation
import Logging
import TansiqSimulation

extension SimCommand {
    /// What `compare` and `sweep` share: seeds, reports, security.
    struct WhatIfOptions: ParsableArguments {
        @Option(help: "How many seeds each plan runs: the file's general.seed and the next ones.")
        var seeds = 5

        @Option(help: "Write the report as a self-contained HTML page to this file.")
        var htmlReport: String?

        @Option(help: "Write the table as JSON to this file.")
        var jsonReport: String?

        @Flag(help: "Run the hubs without CURVE.")
        var insecure = false

        @OptionGroup var hosting: HostThreadsOption

        @OptionGroup var stepping: TimeStepOption

        func validate() throws {
            guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be between 1 and 100") }
        }

        static func load(_ file: String) throws -> Topology {
            do {
                return try Topology.load(contentsOf: URL(fileURLWithPath: file))
            } catch let failure as TopologyValidationFailure {
                printError(failure.description)
                throw ExitCode(1)
            }
        }

        func run(_ topology: Topology, label: String) async throws -> [SimulationReport] {
            let logger = Logger(label: "tansiq.sim") { _ in SwiftLogNoOpLogHandler() }
            do {
                var series = SeedSeries(topology: topology, seeds: seeds, secure: !insecure)
                series.threads = hosting.count
                series.timeStep = try stepping.step
                return try await series.run(logger: logger) { seed in
                    printLine("running \(label), seed \(seed)")
                }
            } catch let error as SimulationError {
                printError("error: \(error.message)")
                throw ExitCode(1)
            }
        }

        func write(_ table: OutcomeTable, title: String, parameter: String? = nil) throws {
            try Run.prepareDirectories(for: [jsonReport, htmlReport].compactMap { $0 })
            printLine(table.text(parameter: parameter))
            if let jsonReport {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try Run.write(try encoder.encode(table), to: jsonReport)
                printLine("JSON report: \(jsonReport)")
            }
            if let htmlReport {
                try Run.write(Data(table.html(title: title, parameter: parameter).utf8), to: htmlReport)
                printLine("HTML report: \(htmlReport)")
            }
        }
    }

    /// `tansiq sim compare PLAN_A PLAN_B --seeds N`
    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run two plans over the same seeds in virtual time and report their outcomes side by side, with spreads and differences.")

        @Argument(help: "The plan as it is (a topology file).") var planA: String
        @Argument(help: "The plan to try (a topology file).") var planB: String
        @OptionGroup var options: WhatIfOptions

        func run() async throws {
            let a = try WhatIfOptions.load(planA)
            var b = try WhatIfOptions.load(planB)
            // Seed by seed the same arrivals: the second plan runs from the first's seed.
            b.general.seed = a.general.seed
            let reportsA = try await options.run(a, label: planA)
            let reportsB = try await options.run(b, label: planB)
            let categories = (a.offeredCategories + b.offeredCategories).map(\.rawValue).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let table = OutcomeTable(
                columns: [planA, planB], seeds: SeedSeries(topology: a, seeds: options.seeds).seeds,
                reports: [reportsA, reportsB], categories: categories)
            try options.write(table, title: "Tansiq what-if: \(Self.names(a.name, b.name, files: (planA, planB)))")
        }

        /// The plans' names, or their files' when the names are the same (a plan and its edited copy).
        static func names(_ a: String, _ b: String, files: (String, String)) -> String {
            guard a == b else { return "\(a) vs \(b)" }
            let (fileA, fileB) = (URL(fileURLWithPath: files.0).lastPathComponent, URL(fileURLWithPath: files.1).lastPathComponent)
            return fileA == fileB ? "\(files.0) vs \(files.1)" : "\(a): \(fileA) vs \(fileB)"
        }
    }

    /// `tansiq sim sweep FILE --set PATH=LOW..HIGH/STEP --seeds N`
    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a plan at each value of one parameter over the same seeds in virtual time and report the outcomes against it.",
            discussion: "PATH is nodes.<id>.capacity, nodes.<id>.services.<category>.capacity, nodes.<id>.agents or nodes.<id>.acceptance.accept; e.g. --set 'nodes.health-delegation-agadir.capacity=10..60/10'.")

        @Argument(help: "A topology file.") var file: String
        @Option(name: .customLong("set"), help: "The parameter and its values, PATH=LOW..HIGH/STEP or PATH=V1,V2,….") var setting: String
        @OptionGroup var options: WhatIfOptions

        func run() async throws {
            let topology = try WhatIfOptions.load(file)
            let parsed: TopologySetting
            do {
                parsed = try TopologySetting(parsing: setting)
                for value in parsed.values { _ = try parsed.apply(value, to: topology) }
            } catch {
                printError("error: \(error.message)")
                throw ExitCode(64)
            }
            var reports: [[SimulationReport]] = []
            for value in parsed.values {
                let label = "\(parsed.path)=\(SeedInterval.format(value))"
                reports.append(try await options.run(try parsed.apply(value, to: topology), label: label))
            }
            let table = OutcomeTable(
                columns: parsed.values.map(SeedInterval.format), seeds: SeedSeries(topology: topology, seeds: options.seeds).seeds,
                reports: reports, categories: topology.offeredCategories.map(\.rawValue))
            try options.write(table, title: "Tansiq sweep of \(parsed.path) on \(topology.name)", parameter: parsed.path)
        }
    }
}

extension OutcomeTable {
    /// The table as text, one outcome a line.
    func text(parameter: String?) -> String {
        let header = ["outcome"] + columns.map { (parameter.map { "\($0)=" } ?? "") + $0 } + (columns.count == 2 ? ["difference"] : [])
        let lines = rows.map(\.readable).map { row in
            [row.metric] + row.intervals.map(\.text) + (row.difference.map { [$0.text] } ?? [])
        }
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max() ?? 0 }
        return ([header] + lines).map { line in
            zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
