import ArgumentParser
import Foundation
import TansiqHub
import TansiqMessages
import TansiqVault

/// `tansiq journal keygen PATH`: a new master key in a new 0600 file.
struct JournalKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new master key (32 random bytes, base64) to a new file only its owner can read.",
        discussion: """
            Give it to the hub with --master-key-file (or $\(MasterKey.environmentVariable)): every message \
            body is then sealed in the journal with a data key of its referral, itself sealed with \
            this key. Keep it apart from the journal and its backups; without it the journal's \
            bodies cannot be read.
            """
    )

    @Argument(help: "The key file to create (refused if it exists).")
    var path: String

    func run() throws {
        let key = MasterKey.generate()
        do {
            try key.write(to: path)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(73)
        }
        printLine("master key \(key.fingerprint) written to \(path) (mode 600)")
    }
}

/// The referrals an erasure or an export is about: one id, or a case of one referring agency.
struct ReferralSelection: ParsableArguments {
    @Option(help: "The referral id (a UUID).")
    var referral: String?

    @Option(help: "The case reference the referring agency filed the referrals under (with --agency).")
    var caseReference: String?

    @Option(help: "The referring agency of --case-reference.")
    var agency: String?

    func validate(requiringCase: Bool = false) throws {
        if let referral {
            guard !requiringCase else { throw ValidationError("give --case-reference and --agency") }
            guard UUID(uuidString: referral) != nil, caseReference == nil, agency == nil else {
                throw ValidationError("--referral takes a referral id (a UUID), alone")
            }
        } else {
            guard let caseReference, let agency, TansiqMessages.Identifier.isValidCaseReference(caseReference), TansiqMessages.Identifier.isValid(agency) else {
                throw ValidationError(
                    requiringCase
                        ? "give --case-reference (a case reference) and --agency (an agency id)"
                        : "give --referral ID, or --case-reference and --agency")
            }
        }
    }

    /// The referral ids selected, found in `journal` for a case.
    func ids(in journal: Journal) throws(JournalError) -> [String] {
        if let referral { return [referral.lowercased()] }
        return try journal.referralIDs(caseReference: caseReference!, agency: agency!)
    }

    /// What the selection names, without the case reference (it stays out of logs and terminals' scrollback).
    var described: String {
        referral.map { "referral \($0.lowercased())" } ?? "the case given, of \(agency ?? "?")"
    }
}

/// `tansiq journal erase PATH`: destroy the data keys of a referral or of a case.
struct JournalEraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a referral (or every referral of a case) from a journal, beside a running hub or offline.",
        discussion: """
            Destroys the referrals' data keys: their messages stay in the stream, so sequence \
            numbers never move, but no command and no replay can read them again; replay skips \
            them and says how many it skipped. By --referral the master key is not needed; by \
            --case-reference the referrals of the agency are opened to find the case's.

            Examples:
              tansiq journal erase /var/lib/tansiq/journal.sqlite --referral 5f0c…
              tansiq journal erase /var/lib/tansiq/journal.sqlite --case-reference AGA-2026-0042 --agency iom-morocco --master-key-file /etc/tansiq/master.key
            """
    )

    @Argument(help: "The journal's SQLite file.")
    var path: String

    @OptionGroup var selection: ReferralSelection
    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws { try selection.validate() }

    func run() throws {
        var ids: [String] = []
        if selection.referral == nil {
            let journal = try JournalCommand.open(path, masterKey: try masterKey.load())
            defer { journal.close() }
            do {
                ids = try selection.ids(in: journal)
            } catch {
                printError("error: \(error.message)")
                throw ExitCode(1)
            }
            guard !ids.isEmpty else {
                printError("no referral of \(selection.described) in \(path)")
                throw ExitCode(1)
            }
        } else {
            guard FileManager.default.fileExists(atPath: path) else {
                printError("error: no journal at \(path)")
                throw ExitCode(66)
            }
            ids = [selection.referral!.lowercased()]
        }
        let erasure: Journal.Erasure
        do {
            erasure = try Journal.erase(referrals: ids, inJournalAt: path)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        for id in erasure.referrals { printLine("erased referral \(id)") }
        printLine("\(erasure.referrals.count) referrals erased: \(erasure.keys) data keys destroyed, \(erasure.messages) stored messages now unreadable")
    }
}

/// `tansiq journal export PATH --case-reference REF --agency A`: a subject access request.
struct JournalExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print every stored message of a case (or of one referral) as one JSON document, for an access request.",
        discussion: """
            Example:
              tansiq journal export journal.sqlite --case-reference AGA-2026-0042 --agency iom-morocco --master-key-file master.key
            """
    )

    @Argument(help: "The journal's SQLite file.")
    var path: String

    @OptionGroup var selection: ReferralSelection
    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws { try selection.validate() }

    func run() throws {
        let journal = try JournalCommand.open(path, masterKey: try masterKey.load())
        defer { journal.close() }
        var messages: [Any] = []
        let ids: [String]
        do {
            ids = try selection.ids(in: journal)
            for id in ids { messages += try journal.trail(correlationID: id).map(JournalCommand.jsonObject) }
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        guard !ids.isEmpty else {
            printError("no referral of \(selection.described) in \(path)")
            throw ExitCode(1)
        }
        var document: [String: Any] = ["journal": path, "referrals": ids, "messages": messages]
        if let caseReference = selection.caseReference, let agency = selection.agency {
            document["caseReference"] = caseReference
            document["agency"] = agency
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
        printLine(String(decoding: data, as: UTF8.self))
    }
}
