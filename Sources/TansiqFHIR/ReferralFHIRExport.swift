import Foundation
import TansiqMessages

/// A referral's trail as an HL7 FHIR R4 Bundle: a ServiceRequest for the referral, a Task in
/// its current state, and one Provenance per change (its creation, then each accepted status).
/// No element carries more than the bus does, and less: the case reference is the only thing
/// that points at the person; notes, the person's age band, language and needs, worker ids and
/// the consent record stay out. docs/fhir.md is the mapping.
public enum ReferralFHIRExport {
    /// Which Task status value set the export follows.
    public enum Profile: String, Sendable, CaseIterable {
        /// R4's own `task-status`, which has every Tansiq state (received included).
        case r4
        /// The SDOH Clinical Care guide's referral Task status, which has no `received`: it is
        /// exported as `requested` with the business status `received`.
        case sdoh
    }

    /// Code systems of Tansiq's own codes: `urn:tansiq:` names, stable and not resolvable.
    public enum System {
        public static let agency = "urn:tansiq:agency"
        public static let serviceCategory = "urn:tansiq:service-category"
        public static let referralReason = "urn:tansiq:referral-reason"
        public static let statusReason = "urn:tansiq:status-reason"
        public static let referralState = "urn:tansiq:referral-state"
        public static let outcome = "urn:tansiq:outcome"
        public static let outputType = "urn:tansiq:task-output"
        public static let escalation = "urn:tansiq:escalation"
        /// The referrer's case references: `urn:tansiq:case-reference:AGENCY`.
        public static func caseReference(of agency: String) -> String { "urn:tansiq:case-reference:\(agency)" }
        public static let taskStatus = "http://hl7.org/fhir/task-status"
        public static let dataOperation = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
        public static let participantType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
        public static let uri = "urn:ietf:rfc:3986"
    }

    /// The bundle of `trail`, assembled at `now`.
    public static func bundle(of trail: ReferralTrail, profile: Profile = .r4, now: Date = Date()) -> FHIRBundle {
        let summary = trail.summary
        let referralID = summary.referralId
        let requestID = referralID.uuidString.lowercased()
        let taskID = derivedID(referralID, "task", 0)
        let requestURL = "urn:uuid:\(requestID)"
        let taskURL = "urn:uuid:\(taskID)"
        let subject = subjectReference(trail)
        let requester = organization(summary.referrer)
        let receiver = summary.receiver.map(organization)
        let authoredOn = FHIRTime.text(trail.referralSentAt)
        let category = FHIRCodeableConcept(System.serviceCategory, summary.category.rawValue)

        let request = FHIRServiceRequest(
            id: requestID,
            identifier: [FHIRIdentifier(system: System.uri, value: requestURL)],
            status: requestStatus(summary.state),
            intent: "order",
            category: [category],
            priority: summary.priority.rawValue,
            code: FHIRCodeableConcept(System.serviceCategory, summary.category.rawValue, text: summary.category.rawValue),
            subject: subject,
            authoredOn: authoredOn,
            requester: requester,
            performer: receiver.map { [$0] },
            reasonCode: trail.referral.flatMap { referral in
                referral.reasonCodes.isEmpty ? nil : referral.reasonCodes.map { FHIRCodeableConcept(System.referralReason, $0.rawValue) }
            })

        let (status, business) = taskStatus(summary.state, profile: profile)
        let last = trail.changes.last
        let reason = trail.changes.last(where: { $0.update.state == summary.state })?.update.reason
        var outputs: [FHIRTask.Output] = []
        if let outcome = trail.changes.last(where: { $0.update.outcome != nil })?.update.outcome, summary.state == .completed || summary.state == .failed {
            outputs.append(FHIRTask.Output(
                type: FHIRCodeableConcept(System.outputType, "outcome", text: "What came of the referral"),
                valueCodeableConcept: FHIRCodeableConcept(System.outcome, outcome.code.rawValue)))
            outputs.append(FHIRTask.Output(
                type: FHIRCodeableConcept(System.outputType, "successful", text: "Whether the person got the service"),
                valueBoolean: outcome.successful))
        }
        let task = FHIRTask(
            id: taskID,
            meta: FHIRMeta(versionId: "\(trail.changes.count + 1)", lastUpdated: FHIRTime.text(last?.recordedAt ?? summary.createdAt)),
            identifier: [FHIRIdentifier(system: System.uri, value: taskURL)],
            basedOn: [FHIRReference(reference: requestURL, type: "ServiceRequest")],
            status: status,
            statusReason: reason.map { FHIRCodeableConcept(System.statusReason, $0.rawValue, text: reasonText($0)) },
            businessStatus: business,
            intent: "order",
            priority: summary.priority.rawValue,
            focus: FHIRReference(reference: requestURL, type: "ServiceRequest"),
            for: subject,
            authoredOn: authoredOn,
            lastModified: FHIRTime.text(last?.recordedAt ?? summary.createdAt),
            requester: requester,
            owner: receiver,
            restriction: FHIRTask.Restriction(period: FHIRPeriod(start: nil, end: FHIRTime.text(summary.followUpOn))),
            output: outputs.isEmpty ? nil : outputs)

        var entries: [FHIRBundle.Entry] = [
            FHIRBundle.Entry(fullUrl: requestURL, resource: .serviceRequest(request)),
            FHIRBundle.Entry(fullUrl: taskURL, resource: .task(task)),
        ]
        let creation = FHIRProvenance(
            id: derivedID(referralID, "provenance", trail.referralSequence ?? 0),
            target: [FHIRReference(reference: requestURL, type: "ServiceRequest"), FHIRReference(reference: taskURL, type: "Task")],
            occurredDateTime: authoredOn,
            recorded: FHIRTime.text(summary.createdAt),
            activity: activity("CREATE", state: .requested, profile: profile, text: "requested"),
            agent: [author(summary.referrer)])
        entries.append(FHIRBundle.Entry(fullUrl: "urn:uuid:\(creation.id)", resource: .provenance(creation)))
        for change in trail.changes {
            let update = change.update
            var text = "\(update.previousState) → \(update.state)"
            if let reason = update.reason { text += " (\(reason.rawValue))" }
            let provenance = FHIRProvenance(
                id: derivedID(referralID, "provenance", change.sequence),
                target: [FHIRReference(reference: taskURL, type: "Task")],
                occurredDateTime: FHIRTime.text(update.changedAt),
                recorded: FHIRTime.text(change.recordedAt),
                activity: activity("UPDATE", state: update.state, profile: profile, text: text),
                agent: [author(change.agency)])
            entries.append(FHIRBundle.Entry(fullUrl: "urn:uuid:\(provenance.id)", resource: .provenance(provenance)))
        }
        return FHIRBundle(id: derivedID(referralID, "bundle", 0), timestamp: FHIRTime.text(now), entry: entries)
    }

    /// The bundle as JSON (keys sorted, so that two exports of one trail compare byte for byte).
    public static func json(of trail: ReferralTrail, profile: Profile = .r4, now: Date = Date(), pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(bundle(of: trail, profile: profile, now: now))
    }

    // MARK: Value sets

    /// R4 `request-status` of the ServiceRequest in each Tansiq state.
    public static func requestStatus(_ state: ReferralState) -> String {
        switch state {
        case .requested, .received, .accepted, .inProgress: "active"
        case .onHold: "on-hold"
        case .completed: "completed"
        // Closed before the service was fully provided: the request no longer stands.
        case .rejected, .cancelled, .failed: "revoked"
        }
    }

    /// R4 `task-status` of the Task in each Tansiq state, and the business status that says
    /// what the status cannot.
    public static func taskStatus(_ state: ReferralState, profile: Profile) -> (String, FHIRCodeableConcept?) {
        if state == .received, profile == .sdoh {
            return ("requested", FHIRCodeableConcept(
                System.referralState, "received", display: "Received", text: "The receiver has seen the referral and is deciding"))
        }
        return (state.rawValue, nil)
    }

    private static func reasonText(_ reason: ReferralStatusUpdate.Reason) -> String {
        switch reason {
        case .atCapacity: "No capacity now"
        case .notEligible: "Not eligible for the service"
        case .referredOnward: "Another agency is better placed"
        case .withdrawn: "Withdrawn by the referrer or the person"
        case .noResponseByDeadline: "Nobody answered before the deadline"
        case .assignedElsewhere: "Another provider took the person"
        }
    }

    // MARK: Parts

    private static func organization(_ agency: String) -> FHIRReference {
        FHIRReference(type: "Organization", identifier: FHIRIdentifier(system: System.agency, value: agency))
    }

    private static func author(_ agency: String) -> FHIRProvenance.Agent {
        FHIRProvenance.Agent(type: FHIRCodeableConcept(System.participantType, "author", display: "Author"), who: organization(agency))
    }

    private static func subjectReference(_ trail: ReferralTrail) -> FHIRReference {
        guard let referral = trail.referral else {
            // Erased (or sealed and no key given): the person is not named at all.
            return FHIRReference(type: "Patient", display: "case reference not available")
        }
        return FHIRReference(
            type: "Patient", identifier: FHIRIdentifier(system: System.caseReference(of: referral.referringAgency), value: referral.caseReference))
    }

    private static func activity(_ operation: String, state: ReferralState, profile: Profile, text: String) -> FHIRCodeableConcept {
        FHIRCodeableConcept(coding: [
            FHIRCoding(system: System.dataOperation, code: operation),
            FHIRCoding(system: System.taskStatus, code: taskStatus(state, profile: profile).0),
            FHIRCoding(system: System.referralState, code: state.rawValue),
        ], text: text)
    }

    /// A stable UUID for a resource derived from the referral (a version 8 UUID of two FNV-1a
    /// digests): exporting the same trail twice gives the same ids.
    static func derivedID(_ referral: UUID, _ kind: String, _ number: UInt64) -> String {
        let seed = Array("\(referral.uuidString.lowercased())/\(kind)/\(number)".utf8)
        func fnv(_ basis: UInt64) -> UInt64 {
            var hash = basis
            for byte in seed { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            return hash
        }
        var bytes = withUnsafeBytes(of: fnv(0xcbf2_9ce4_8422_2325).bigEndian, Array.init) + withUnsafeBytes(of: fnv(0x6c62_272e_07bb_0142).bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return uuid.uuidString.lowercased()
    }
}
