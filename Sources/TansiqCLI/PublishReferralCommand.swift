import ArgumentParser
import Foundation
import TansiqMessages

/// `tansiq pub referral`: refer a case from flags.
struct PublishReferralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral",
        abstract: "Publish a referral built from flags (consent is recorded as given).",
        discussion: """
            Example:
              tansiq pub referral --from iom-morocco --to health-delegation-agadir --category health --case AGA-2026-0042 --priority urgent
            Without --to the referral is open to any provider of the category.
            """
    )

    @Option(help: "The referring agency.")
    var from: String

    @Option(help: "The receiving agency (omit for an open referral).")
    var to: String?

    @Option(help: "The service category (health, mhpss, education, language, employment, legal, shelter, social-assistance, protection, basic-needs).")
    var category: String

    @Option(name: .customLong("case"), help: "The pseudonymous case reference (A–Z, 0–9, '-', 4–32 characters).")
    var caseReference: String

    @Option(help: "routine, urgent, asap or stat.")
    var priority = "routine"

    @Option(help: "The caseworker's role id.")
    var worker = "caseworker-1"

    @Option(help: "A short note (no personal data; at most 280 characters).")
    var note: String?

    @Option(help: "Seconds until acknowledgement is due (default: the priority's).")
    var acknowledgeWithin: Double?

    @Option(help: "Seconds until a decision is due (default: the priority's).")
    var decideWithin: Double?

    @OptionGroup var target: PublishTarget

    func validate() throws {
        try Identifier.check([("--from", from), ("--to", to), ("--worker", worker)])
        guard ServiceCategory(rawValue: category).isKnown else {
            throw ValidationError("unknown category '\(category)'; use one of \(ServiceCategory.knownValues.map(\.rawValue).joined(separator: ", "))")
        }
        guard Priority(rawValue: priority) != nil else {
            throw ValidationError("unknown priority '\(priority)'; use routine, urgent, asap or stat")
        }
    }

    func run() async throws {
        let category = ServiceCategory(rawValue: category)
        let priority = Priority(rawValue: priority)!
        let now = Date()
        let referral = Referral(
            referralId: UUID(),
            caseReference: caseReference,
            referringAgency: from,
            referringWorker: worker,
            receivingAgency: to,
            category: category,
            priority: priority,
            reasonCodes: [Referral.ReasonCode.typical(for: category)],
            note: note,
            consent: Referral.Consent(status: .given, scope: [to == nil ? .shareWithCategoryProviders : .shareWithReceiver, .shareWithCoordinator], recordedBy: worker, recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(acknowledgeWithin ?? priority.acknowledgementTime),
            decideBy: now.addingTimeInterval(decideWithin ?? priority.decisionTime),
            followUpOn: now.addingTimeInterval(30 * 86_400)
        )
        do {
            let topic = try to.map { try Topic.referral(to: $0, category: category) }
                ?? Topic.openReferral(category: category, referrer: from)
            let envelope = Envelope(topic: topic, source: from, agent: "\(from)-cli", payload: .referral(referral), correlationID: referral.referralId)
            try await target.send(try MessageCodec.encode(envelope), id: envelope.header.id, referralID: referral.referralId)
        } catch let error as ProtocolError {
            printError("error: invalid referral: \(error)")
            throw ExitCode(65)
        }
    }
}

/// `tansiq pub status`: move a referral from flags.
struct PublishStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Publish a referral status change built from flags.",
        discussion: """
            Example (the health delegation acknowledges a referral from IOM):
              tansiq pub status --referral 6f1c…  --by health-delegation-agadir --to iom-morocco --category health --from-state requested --state received
            """
    )

    @Option(help: "The referral id.")
    var referral: String

    @Option(help: "The agency making the change.")
    var by: String

    @Option(help: "The other party, who is told (the referrer, or the receiver for a cancellation).")
    var to: String

    @Option(help: "The referral's service category.")
    var category: String

    @Option(help: "The state it is in now.")
    var fromState: String

    @Option(help: "The new state.")
    var state: String

    @Option(help: "A coded reason (at-capacity, not-eligible, referred-onward, withdrawn, …).")
    var reason: String?

    @Option(help: "The suggested alternative agency, with --reason referred-onward.")
    var suggestedAlternative: String?

    @Option(help: "For completed or failed: the outcome code (service-provided, client-declined, …).")
    var outcome: String?

    @OptionGroup var target: PublishTarget

    func validate() throws {
        try Identifier.check([("--by", by), ("--to", to), ("--suggested-alternative", suggestedAlternative)])
        guard UUID(uuidString: referral) != nil else { throw ValidationError("--referral must be a UUID, got '\(referral)'") }
        guard ServiceCategory(rawValue: category).isKnown else { throw ValidationError("unknown category '\(category)'") }
        guard ReferralState(rawValue: fromState) != nil else { throw ValidationError("unknown state '\(fromState)'") }
        guard ReferralState(rawValue: state) != nil else { throw ValidationError("unknown state '\(state)'") }
    }

    func run() async throws {
        let id = UUID(uuidString: referral)!
        let newState = ReferralState(rawValue: state)!
        let update = ReferralStatusUpdate(
            referralId: id,
            state: newState,
            previousState: ReferralState(rawValue: fromState)!,
            changedBy: by,
            changedAt: Date(),
            reason: reason.flatMap { ReferralStatusUpdate.Reason(rawValue: $0) },
            suggestedAlternative: suggestedAlternative,
            outcome: outcome.map { ReferralStatusUpdate.Outcome(successful: newState == .completed, code: .init(rawValue: $0)) }
        )
        do {
            let topic = try Topic.status(addressee: to, sender: by, category: ServiceCategory(rawValue: category))
            let envelope = Envelope(topic: topic, source: by, agent: "\(by)-cli", payload: .referralStatus(update), correlationID: id)
            try await target.send(try MessageCodec.encode(envelope), id: envelope.header.id)
        } catch let error as ProtocolError {
            printError("error: invalid status change: \(error)")
            throw ExitCode(65)
        }
    }
}

/// `tansiq pub escalation-ack`: the coordinator acknowledges an escalation (1.2).
struct PublishEscalationAckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalation-ack",
        abstract: "Acknowledge an escalation as the coordinator and record what was done.",
        discussion: """
            The hub accepts it only from its coordinator (--coordinator), only for a deadline it \\
            escalated, once per deadline, and records it in the registry (`tansiq referrals show`, \\
            `tansiq referrals escalations`). Actions: \\(EscalationAcknowledgement.Action.knownValues.map(\\.rawValue).joined(separator: ", ")).

            Example:
              tansiq pub escalation-ack --referral 6f1c… --by commune-agadir --referrer iom-agadir --category health --deadline acknowledge --action contacted-receiver --note "called the desk, answer due today"
            """
    )

    @Option(help: "The referral id.")
    var referral: String

    @Option(help: "The coordinating agency.")
    var by: String

    @Option(help: "The referral's referring agency (as in the escalation).")
    var referrer: String

    @Option(help: "The referral's service category.")
    var category: String

    @Option(help: "The escalated deadline: acknowledge, decide or follow-up.")
    var deadline: String

    @Option(help: "What was done (contacted-receiver, contacted-referrer, redirected, deadline-extended, no-action-needed, other).")
    var action: String

    @Option(help: "A short note (no personal data; at most 280 characters).")
    var note: String?

    @OptionGroup var target: PublishTarget

    func validate() throws {
        guard UUID(uuidString: referral) != nil else { throw ValidationError("--referral must be a UUID, got '\(referral)'") }
        guard ServiceCategory(rawValue: category).isKnown else { throw ValidationError("unknown category '\(category)'") }
        guard Escalation.Deadline(rawValue: deadline) != nil else {
            throw ValidationError("--deadline must be acknowledge, decide or follow-up, got '\(deadline)'")
        }
        guard Identifier.isValid(action) else { throw ValidationError("--action must be a code such as contacted-receiver") }
        guard Identifier.isValid(by) else { throw ValidationError("--by must be an agency id") }
    }

    func run() async throws {
        let id = UUID(uuidString: referral)!
        let acknowledgement = EscalationAcknowledgement(
            referralId: id, referrer: referrer, category: ServiceCategory(rawValue: category), deadline: Escalation.Deadline(rawValue: deadline)!,
            action: .init(rawValue: action), acknowledgedBy: by, acknowledgedAt: Date(), note: note)
        do {
            let topic = try Topic.escalationAck(referrer: referrer, category: ServiceCategory(rawValue: category), coordinator: by)
            let envelope = Envelope(
                topic: topic, source: by, agent: "\(by)-cli", payload: .escalationAcknowledgement(acknowledgement), correlationID: id)
            try await target.send(try MessageCodec.encode(envelope), id: envelope.header.id, referralID: id)
        } catch let error as ProtocolError {
            printError("error: invalid escalation acknowledgement: \(error)")
            throw ExitCode(65)
        }
    }
}
