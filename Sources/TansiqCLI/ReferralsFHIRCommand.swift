import ArgumentParser
import Foundation
import TansiqFHIR
import TansiqHub
import TansiqMessages

/// `tansiq referrals fhir ID`: one referral's trail as an HL7 FHIR R4 Bundle (docs/fhir.md).
struct ReferralsFHIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fhir",
        abstract: "One referral's trail as an HL7 FHIR R4 Bundle (ServiceRequest, Task, a Provenance per change), as JSON.",
        discussion: """
            Reads the hub's journal read-only, like `tansiq referrals show`. The bundle carries no more \
            than the bus did: the pseudonymous case reference names the person; notes do not leave. \
            docs/fhir.md gives the mapping. Exit status 66 when the journal cannot be read, 1 when the \
            referral is unknown.

            Example: tansiq referrals fhir 5f0c…-… --data-directory data --profile sdoh --pretty
            """
    )

    @Argument(help: "The referral id (a UUID).")
    var referralID: String

    @Option(help: "The hub's journal (SQLite file; default \(JournalConfiguration.defaultPath) in the working directory).")
    var journal: String?

    @Option(help: "A simulation's or a deployment's data directory: its journal.sqlite.")
    var dataDirectory: String?

    @Option(help: "The Task status value set: r4 (every Tansiq state) or sdoh (the SDOH Clinical Care guide's, without received).")
    var profile: ReferralFHIRExport.Profile = .r4

    @Flag(help: "Indent the JSON.")
    var pretty = false

    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws {
        guard UUID(uuidString: referralID) != nil else { throw ValidationError("'\(referralID)' is not a referral id (a UUID)") }
        if journal != nil, dataDirectory != nil { throw ValidationError("give --journal or --data-directory, not both") }
    }

    var path: String {
        journal ?? dataDirectory.map { ($0 as NSString).appendingPathComponent("journal.sqlite") } ?? JournalConfiguration.defaultPath
    }

    func run() throws {
        let journal = try JournalCommand.open(path, masterKey: try masterKey.load())
        defer { journal.close() }
        let id = UUID(uuidString: referralID)!
        let record: ReferralRecord?
        let stored: [JournalRecord]
        do {
            record = try journal.referrals(ReferralFilter(referralId: id)).first
            stored = try journal.trail(correlationID: ReferralsCommand.text(id))
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(66)
        }
        var messages: [ReferralTrail.Message] = []
        var unreadable = 0
        for message in stored where message.kind == MessageKind.referral.rawValue || message.kind == MessageKind.referralStatus.rawValue {
            do {
                let (envelope, _) = try MessageCodec.decode([Array(message.topic.utf8), message.header, message.body])
                messages.append(ReferralTrail.Message(envelope: envelope, sequence: message.sequence, receivedAt: message.receivedAt))
            } catch {
                unreadable += 1
            }
        }
        if unreadable > 0 { printError("warning: \(unreadable) stored messages of this referral could not be decoded and are left out") }
        let summary = record.map { record in
            ReferralTrail.Summary(
                referralId: id, referrer: record.referrer, receiver: record.receiver, category: record.category, priority: record.priority,
                followUpOn: record.followUpOn, state: record.state,
                createdAt: stored.first(where: { $0.sequence == record.createdSequence })?.receivedAt ?? record.updatedAt)
        }
        let trail: ReferralTrail
        do {
            trail = try ReferralTrail(referralId: id, messages: messages, summary: summary)
        } catch {
            printError("no referral \(ReferralsCommand.text(id)) in \(path): \(error.message)")
            throw ExitCode(1)
        }
        let json = try ReferralFHIRExport.json(of: trail, profile: profile, pretty: pretty)
        print(String(decoding: json, as: UTF8.self))
    }
}

extension ReferralFHIRExport.Profile: ExpressibleByArgument {}
