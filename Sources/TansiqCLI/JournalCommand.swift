import ArgumentParser
import Foundation
import TansiqHub
import TansiqMessages
import TansiqVault

/// `tansiq journal`: inspect a hub's journal, also while the hub runs.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Inspect a hub's journal: what it holds, its messages, the messages of one referral.",
        discussion: """
            The journal is opened read-only: it can be inspected while a hub writes to it (SQLite \
            WAL lets readers in), and nothing is ever changed. Exit status 66 when the file is \
            missing or not a Tansiq journal.

            Examples:
              tansiq journal summary tansiq-journal.sqlite
              tansiq journal list tansiq-journal.sqlite --prefix referral/to/health-delegation-agadir/ --after 1200
              tansiq journal referral tansiq-journal.sqlite 5f0c…
              tansiq journal keygen /etc/tansiq/master.key
              tansiq journal erase tansiq-journal.sqlite --referral 5f0c…
              tansiq journal export tansiq-journal.sqlite --case-reference AGA-2026-0042 --agency iom-morocco
            """,
        subcommands: [
            JournalSummaryCommand.self, JournalListCommand.self, JournalReferralCommand.self,
            JournalKeygenCommand.self, JournalEraseCommand.self, JournalExportCommand.self,
        ]
    )

    /// Opens `path` for reading, or exits 66 saying why.
    static func open(_ path: String, masterKey: MasterKey? = nil) throws -> Journal {
        guard FileManager.default.fileExists(atPath: path) else {
            printError("error: no journal at \(path)")
            throw ExitCode(66)
        }
        do {
            return try Journal(path: path, readOnly: true, masterKey: masterKey)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(66)
        }
    }

    /// RFC 3339 UTC with milliseconds, as on the wire.
    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// One stored message as a line: `#seq topicSeq receivedAt topic type source/agent id — summary`.
    static func line(_ record: JournalRecord) -> String {
        let frames = [Array(record.topic.utf8), record.header, record.body]
        let rendered = MessageRendering.line(frames).drop { $0 != " " }.dropFirst()
        return "#\(record.sequence) t\(record.topicSequence) \(JournalCommand.time(record.receivedAt)) \(rendered)"
    }

    /// One stored message as a JSON object: its sequences, when the hub accepted it, and the
    /// topic, header and body as published.
    static func json(_ record: JournalRecord) -> String {
        let object = jsonObject(record)
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// ``json(_:)`` before serialisation.
    static func jsonObject(_ record: JournalRecord) -> [String: Any] {
        var object: [String: Any] = [
            "seq": record.sequence,
            "topicSeq": record.topicSequence,
            "receivedAt": JournalCommand.time(record.receivedAt),
            "topic": record.topic,
        ]
        for (name, frame) in [("header", record.header), ("body", record.body)] {
            object[name] = (try? JSONSerialization.jsonObject(with: Data(frame))) ?? String(decoding: frame, as: UTF8.self)
        }
        return object
    }

    /// Reads records page by page (the journal caps a page) and prints each; returns how many.
    static func printRecords(
        limit: Int,
        json: Bool,
        page: (_ after: UInt64, _ size: Int) throws(JournalError) -> [JournalRecord]
    ) throws -> Int {
        var printed = 0
        var after: UInt64 = 0
        while printed < limit {
            let size = min(1000, limit - printed)
            let records: [JournalRecord]
            do {
                records = try page(after, size)
            } catch {
                printError("error: \(error.message)")
                throw ExitCode(1)
            }
            for record in records { printLine(json ? Self.json(record) : Self.line(record)) }
            printed += records.count
            guard records.count == size, let last = records.last else { break }
            after = last.sequence
        }
        return printed
    }
}

/// `tansiq journal summary PATH`.
struct JournalSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "How many messages the journal holds, their sequence and time range, size and kinds."
    )

    @Argument(help: "The journal's SQLite file.")
    var path: String

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    func run() throws {
        let journal = try JournalCommand.open(path)
        defer { journal.close() }
        let summary: JournalSummary
        let settings: JournalStorageSettings
        let durability: String
        do {
            summary = try journal.summary()
            settings = try journal.storageSettings()
            durability = try journal.recordedSettings()["durability"] ?? "unknown"
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let files = ["", "-wal"].map { suffix in
            ((try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? NSNumber)?.intValue ?? 0
        }
        if json {
            var object: [String: Any] = [
                "path": path,
                "count": summary.count,
                "lastSequence": summary.lastSequence,
                "bytes": summary.bytes,
                "journalMode": settings.journalMode,
                "durability": durability,
                "fileBytes": files[0],
                "walBytes": files[1],
                "countsByKind": summary.countsByKind,
            ]
            if let first = summary.firstSequence { object["firstSequence"] = first }
            if let oldest = summary.oldestReceivedAt { object["oldestReceivedAt"] = JournalCommand.time(oldest) }
            if let newest = summary.newestReceivedAt { object["newestReceivedAt"] = JournalCommand.time(newest) }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            printLine(String(decoding: data, as: UTF8.self))
            return
        }
        var lines = [
            "journal \(path)",
            "  messages    \(summary.count)" + (summary.firstSequence.map { "  (seq \($0) to \(summary.lastSequence))" } ?? "  (last seq \(summary.lastSequence))"),
            "  stored      \(summary.bytes) bytes of messages; file \(files[0]) bytes, WAL \(files[1]) bytes",
        ]
        if let oldest = summary.oldestReceivedAt, let newest = summary.newestReceivedAt {
            lines.append("  received    \(JournalCommand.time(oldest)) to \(JournalCommand.time(newest))")
        }
        lines.append("  storage     SQLite, journal_mode=\(settings.journalMode), durability \(durability) (as the last hub to write it was started)")
        for (kind, count) in summary.countsByKind.sorted(by: { $0.key < $1.key }) {
            lines.append("    \(kind)  \(count)")
        }
        printLine(lines.joined(separator: "\n"))
    }
}

/// `tansiq journal list PATH`.
struct JournalListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The stored messages in sequence order, optionally after a sequence and on some topic prefixes."
    )

    @Argument(help: "The journal's SQLite file.")
    var path: String

    @Option(help: "Only messages with a sequence above this.")
    var after: UInt64 = 0

    @Option(help: "Only messages whose topic starts with this prefix (repeatable; default: every topic).")
    var prefix: [String] = []

    @Option(help: "At most this many messages.")
    var limit = 100

    @Flag(help: "One JSON object per line: seq, topicSeq, receivedAt, topic, header, body.")
    var json = false

    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        guard prefix.count <= Journal.maxPrefixCount else { throw ValidationError("at most \(Journal.maxPrefixCount) --prefix options") }
    }

    func run() throws {
        let journal = try JournalCommand.open(path, masterKey: try masterKey.load())
        defer { journal.close() }
        let prefixes = prefix.isEmpty ? [""] : prefix
        let start = after
        var erased = 0
        _ = try JournalCommand.printRecords(limit: limit, json: json) { (after, size) throws(JournalError) in
            let page = try journal.page(after: max(after, start), prefixes: prefixes, limit: size)
            erased += page.erased
            return page.records
        }
        if erased > 0 { printError("\(erased) messages of erased referrals skipped") }
    }
}

/// `tansiq journal referral PATH REFERRAL-ID`.
struct JournalReferralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral",
        abstract: "Every stored message of one referral (its correlation id), in order."
    )

    @Argument(help: "The journal's SQLite file.")
    var path: String

    @Argument(help: "The referral id: the UUID, or its first characters (at least 4) as the text output shows them.")
    var referralID: String

    @Flag(help: "One JSON object per line: seq, topicSeq, receivedAt, topic, header, body.")
    var json = false

    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws {
        guard UUID(uuidString: referralID) != nil || Self.isIDPrefix(referralID) else {
            throw ValidationError("'\(referralID)' is not a referral id: a UUID, or its first 4 to 35 characters (hex digits and '-')")
        }
    }

    static func isIDPrefix(_ text: String) -> Bool {
        (4...35).contains(text.count) && text.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    func run() throws {
        let journal = try JournalCommand.open(path, masterKey: try masterKey.load())
        defer { journal.close() }
        var id = referralID.lowercased()
        if UUID(uuidString: id) == nil {
            let matches = try journal.correlationIDs(withPrefix: id, limit: 5)
            switch matches.count {
            case 0:
                printError("no referral whose id starts with \(id) in \(path)")
                throw ExitCode(1)
            case 1:
                id = matches[0]
            default:
                printError("\(id) is the start of several referral ids (\(matches.joined(separator: ", "))\(matches.count == 5 ? ", …" : "")): give more characters")
                throw ExitCode(64)
            }
        }
        let printed = try JournalCommand.printRecords(limit: Int.max, json: json) { (after, size) throws(JournalError) in
            try journal.records(correlationID: id, after: after, limit: size)
        }
        if printed == 0 {
            let erased = (try? journal.wasErased(referral: id)) ?? false
            printError(erased ? "referral \(id) was erased from \(path)" : "no message of referral \(id) in \(path)")
            throw ExitCode(1)
        }
    }
}
