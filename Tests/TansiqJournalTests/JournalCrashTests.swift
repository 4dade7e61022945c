import Foundation
import Testing
import TansiqTestSupport
@testable import TansiqJournal

/// A real process appends to a journal and is killed with SIGKILL; every batch it reported
/// as committed must be in the file afterwards, intact.
///
/// The writer is this test binary itself, re-run with `TANSIQ_JOURNAL_CHILD` set and a
/// filter that selects ``writerChildProcess()``; without the variable that test does nothing.
@Suite("Journal crash safety")
struct JournalCrashTests {
    static let childVariable = "TANSIQ_JOURNAL_CHILD"
    static let durabilityVariable = "TANSIQ_JOURNAL_CHILD_DURABILITY"
    static let batchSize: UInt64 = 16
    static let commitsBeforeKill = 40

    /// The record the writer stores at `sequence`: the parent recomputes it to check the bytes.
    static func expectedRecord(_ sequence: UInt64) -> JournalRecord {
        let topicIndex = (sequence - 1) % 3
        return JournalRecord(
            sequence: sequence,
            topicSequence: (sequence - 1) / 3 + 1,
            topic: "referral.service-\(topicIndex).agadir",
            header: Array(#"{"v":1,"id":"m-\#(sequence)"}"#.utf8),
            body: (0..<600).map { UInt8(truncatingIfNeeded: Int(sequence) &* 131 &+ $0 &* 7) },
            kind: "referral",
            source: "commune",
            correlationID: "referral-\(sequence / 10)",
            messageID: "m-\(sequence)",
            receivedAt: Date(timeIntervalSinceReferenceDate: 800_000_000 + Double(sequence) / 64))
    }

    @Test("writer child process (acts only when the crash test spawns it)")
    func writerChildProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment[Self.childVariable] else { return }
        let durability = try #require(JournalDurability(rawValue: environment[Self.durabilityVariable] ?? ""))
        let journal = try Journal(path: path, durability: durability)
        let deadline = ContinuousClock.now + .seconds(60)
        var sequence = journal.lastSequence
        for _ in 0..<1_000_000 where ContinuousClock.now < deadline {
            let batch = (1...Self.batchSize).map { Self.expectedRecord(sequence + $0) }
            try journal.append(batch)
            sequence += Self.batchSize
            // An unbuffered write: the line leaves the process as soon as the batch is committed.
            FileHandle.standardOutput.write(Data("committed \(sequence)\n".utf8))
        }
    }

    @Test(
        "every batch a SIGKILLed writer reported committed is in the journal, intact",
        .timeLimit(.minutes(2)),
        arguments: JournalDurability.allCases)
    func committedBatchesSurviveSigkill(durability: JournalDurability) throws {
        guard ProcessInfo.processInfo.environment[Self.childVariable] == nil else { return }
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let path = directory.journalPath

        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "writerChildProcess"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = path
        environment[Self.durabilityVariable] = durability.rawValue
        child.environment = environment
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()

        let reader = LineReader(fileDescriptor: output.fileHandleForReading.fileDescriptor)
        var reported: [UInt64] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while reported.count < Self.commitsBeforeKill, ContinuousClock.now < deadline {
            guard let line = reader.nextLine(until: deadline) else { break }
            if let sequence = Self.committedSequence(in: line) { reported.append(sequence) }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        // Lines already in the pipe were printed after their commit: they count too.
        while let line = reader.nextLine(until: ContinuousClock.now + .seconds(5)) {
            if let sequence = Self.committedSequence(in: line) { reported.append(sequence) }
        }
        try #require(reported.count >= Self.commitsBeforeKill, "the writer reported \(reported.count) commits")
        #expect(child.terminationReason == .uncaughtSignal)

        let journal = try Journal(path: path, durability: durability)
        defer { journal.close() }
        let stored = try allRecords(journal)
        let highest = try #require(reported.max())
        #expect(journal.lastSequence >= highest)
        #expect(stored.count == Int(journal.lastSequence))
        #expect(stored.map(\.sequence) == Array(1...journal.lastSequence))
        let damaged = stored.filter { $0 != Self.expectedRecord($0.sequence) }.map(\.sequence)
        #expect(damaged.isEmpty, "records differ from what was written: \(damaged.prefix(10))")
        #expect(journal.lastTopicSequence(for: "referral.service-0.agadir") == (journal.lastSequence + 2) / 3)

        try journal.append([Self.expectedRecord(journal.lastSequence + 1)])
    }

    static func committedSequence(in line: String) -> UInt64? {
        guard line.hasPrefix("committed ") else { return nil }
        return UInt64(line.dropFirst("committed ".count))
    }
}

/// Reads lines from a pipe, waiting at most until a deadline for each.
final class LineReader {
    private let fileDescriptor: Int32
    private var buffer: [UInt8] = []
    private var atEnd = false

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// The next line, or `nil` at end of input or when the deadline passed.
    func nextLine(until deadline: ContinuousClock.Instant) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard !atEnd, remaining > .zero else { return nil }
            var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: remaining.components.seconds * 1_000 + 1)
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4_096)
            let count = read(fileDescriptor, &chunk, chunk.count)
            if count <= 0 {
                atEnd = true
            } else {
                buffer += chunk[..<count]
            }
        }
    }
}
