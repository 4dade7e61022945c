import Foundation
import TansiqFHIR
import TansiqMessages
import Testing

/// The FHIR export of every lifecycle path, checked against what R4 requires of each resource
/// and the value sets it binds.
@Suite("FHIR export of referral trails")
struct ReferralFHIRExportTests {
    static let referralID = UUID(uuidString: "3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01")!
    static let start = Date(timeIntervalSince1970: 1_795_000_000)
    /// A note with a personal value that must never leave.
    static let secretNote = "Call Fatima on 0612345678"

    static let referral = Referral(
        referralId: referralID, caseReference: "AGA-2026-0042", referringAgency: "iom-morocco", referringWorker: "caseworker-3",
        receivingAgency: "health-delegation-agadir", category: .health, priority: .urgent,
        reasonCodes: [.maternalCare], note: secretNote,
        consent: .init(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-3", recordedAt: start),
        acknowledgeBy: start.addingTimeInterval(3600), decideBy: start.addingTimeInterval(7200), followUpOn: start.addingTimeInterval(86_400 * 7),
        subject: .init(ageBand: .adult, language: "wo", needsFlags: [.pregnant]))

    /// The trail of a referral that went through `states`, each change with its reason or outcome.
    static func trail(_ states: [ReferralState], reason: ReferralStatusUpdate.Reason? = nil, outcome: ReferralStatusUpdate.Outcome? = nil, erased: Bool = false) throws -> ReferralTrail {
        var messages: [ReferralTrail.Message] = []
        if !erased {
            let envelope = Envelope(
                topic: try .referral(to: "health-delegation-agadir", category: .health), source: "iom-morocco", agent: "iom-morocco-1",
                payload: .referral(referral), time: start)
            messages.append(ReferralTrail.Message(envelope: envelope, sequence: 1, receivedAt: start.addingTimeInterval(0.01)))
        }
        var previous = ReferralState.requested
        for (index, state) in states.enumerated() {
            let byReferrer = state == .cancelled
            let agency = byReferrer ? "iom-morocco" : "health-delegation-agadir"
            let update = ReferralStatusUpdate(
                referralId: referralID, state: state, previousState: previous, changedBy: agency, changedAt: start.addingTimeInterval(Double(index + 1) * 60),
                reason: state == .rejected || state == .cancelled ? reason : nil,
                outcome: state == .completed || state == .failed ? outcome : nil, note: secretNote)
            let topic: Topic = byReferrer
                ? try .status(addressee: "health-delegation-agadir", sender: "iom-morocco", category: .health)
                : try .status(addressee: "iom-morocco", sender: "health-delegation-agadir", category: .health)
            let envelope = Envelope(topic: topic, source: agency, agent: "\(agency)-1", payload: .referralStatus(update), time: update.changedAt)
            messages.append(ReferralTrail.Message(envelope: envelope, sequence: UInt64(index + 2), receivedAt: update.changedAt.addingTimeInterval(0.01)))
            previous = state
        }
        let summary = ReferralTrail.Summary(
            referralId: referralID, referrer: "iom-morocco", receiver: "health-delegation-agadir", category: .health, priority: .urgent,
            followUpOn: referral.followUpOn, state: previous, createdAt: start.addingTimeInterval(0.01))
        return try ReferralTrail(referralId: referralID, messages: messages.reversed(), summary: summary)
    }

    /// The exported bundle as JSON objects, checked against R4 on the way.
    static func export(_ trail: ReferralTrail, profile: ReferralFHIRExport.Profile = .r4) throws -> (bundle: [String: Any], json: String) {
        let data = try ReferralFHIRExport.json(of: trail, profile: profile, now: start.addingTimeInterval(86_400))
        let json = String(decoding: data, as: UTF8.self)
        let bundle = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        R4.checkBundle(bundle, profile: profile)
        return (bundle, json)
    }

    static func resources(_ bundle: [String: Any], _ type: String) -> [[String: Any]] {
        (bundle["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }.filter { $0["resourceType"] as? String == type }
    }

    static func code(_ concept: Any?) -> String? {
        ((concept as? [String: Any])?["coding"] as? [[String: Any]])?.first?["code"] as? String
    }

    static let paths: [(name: String, states: [ReferralState], reason: ReferralStatusUpdate.Reason?, outcome: ReferralStatusUpdate.Outcome?, task: String, request: String)] = [
        ("requested", [], nil, nil, "requested", "active"),
        ("completed", [.received, .accepted, .inProgress, .completed], nil, .init(successful: true, code: .serviceProvided), "completed", "completed"),
        ("rejected", [.received, .rejected], .atCapacity, nil, "rejected", "revoked"),
        ("cancelled", [.received, .accepted, .cancelled], .withdrawn, nil, "cancelled", "revoked"),
        ("failed", [.accepted, .inProgress, .failed], nil, .init(successful: false, code: .clientUnreachable), "failed", "revoked"),
        ("on-hold", [.accepted, .inProgress, .onHold], nil, nil, "on-hold", "on-hold"),
        ("on-hold and back", [.accepted, .inProgress, .onHold, .inProgress, .completed], nil, .init(successful: true, code: .serviceProvided), "completed", "completed"),
    ]

    @Test(arguments: paths.indices)
    func everyLifecyclePathExportsAValidBundleWhoseProvenanceFollowsTheTrail(index: Int) throws {
        let path = Self.paths[index]
        for profile in ReferralFHIRExport.Profile.allCases {
            let (bundle, _) = try Self.export(try Self.trail(path.states, reason: path.reason, outcome: path.outcome), profile: profile)
            let task = try #require(Self.resources(bundle, "Task").first)
            let request = try #require(Self.resources(bundle, "ServiceRequest").first)
            #expect(task["status"] as? String == path.task, "\(path.name)")
            #expect(request["status"] as? String == path.request, "\(path.name)")
            // One Provenance for the creation and one per change, in the hub's order, each naming the Task status it led to.
            let provenance = Self.resources(bundle, "Provenance")
            #expect(provenance.count == path.states.count + 1)
            let statuses = provenance.map { (($0["activity"] as? [String: Any])?["coding"] as? [[String: Any]])?.first { $0["system"] as? String == "http://hl7.org/fhir/task-status" }?["code"] as? String }
            #expect(statuses == (["requested"] + path.states.map(\.rawValue)).map { profile == .sdoh && $0 == "received" ? "requested" : $0 })
            #expect((task["meta"] as? [String: Any])?["versionId"] as? String == "\(path.states.count + 1)")
            if let reason = path.reason {
                #expect(Self.code(task["statusReason"]) == reason.rawValue)
            } else {
                #expect(task["statusReason"] == nil)
            }
            let outputs = task["output"] as? [[String: Any]]
            if let outcome = path.outcome {
                #expect(outputs?.count == 2)
                #expect(outputs.map { Self.code($0[0]["valueCodeableConcept"]) } == outcome.code.rawValue)
                #expect(outputs?[1]["valueBoolean"] as? Bool == outcome.successful)
            } else {
                #expect(outputs == nil)
            }
        }
    }

    @Test func receivedIsItsOwnStatusInR4AndABusinessStatusUnderTheSDOHGuide() throws {
        let trail = try Self.trail([.received])
        let r4 = try #require(Self.resources(try Self.export(trail, profile: .r4).bundle, "Task").first)
        #expect(r4["status"] as? String == "received")
        #expect(r4["businessStatus"] == nil)
        let sdoh = try #require(Self.resources(try Self.export(trail, profile: .sdoh).bundle, "Task").first)
        #expect(sdoh["status"] as? String == "requested")
        #expect(Self.code(sdoh["businessStatus"]) == "received")
    }

    @Test func noElementCarriesMoreThanTheBusAndThePersonIsOnlyTheCaseReference() throws {
        let (bundle, json) = try Self.export(try Self.trail([.received, .accepted, .inProgress, .completed], outcome: .init(successful: true, code: .serviceProvided)))
        for absent in ["Fatima", "0612345678", "caseworker-3", "wo\"", "pregnant", "25-59", "share-with"] {
            #expect(!json.contains(absent), "the bundle holds \(absent)")
        }
        #expect(Self.resources(bundle, "Patient").isEmpty)
        let request = try #require(Self.resources(bundle, "ServiceRequest").first)
        let subject = try #require(request["subject"] as? [String: Any])
        #expect((subject["identifier"] as? [String: Any])?["value"] as? String == "AGA-2026-0042")
        #expect(subject["reference"] == nil)
    }

    @Test func anErasedReferralIsExportedFromTheRegistryWithoutNamingThePerson() throws {
        let (bundle, json) = try Self.export(try Self.trail([.received, .rejected], reason: .notEligible, erased: true))
        #expect(!json.contains("AGA-2026-0042"))
        let request = try #require(Self.resources(bundle, "ServiceRequest").first)
        #expect((request["subject"] as? [String: Any])?["identifier"] == nil)
        #expect(request["status"] as? String == "revoked")
    }

    @Test func theSameTrailExportsTheSameBytes() throws {
        let trail = try Self.trail([.received, .accepted])
        let now = Self.start
        #expect(try ReferralFHIRExport.json(of: trail, now: now) == ReferralFHIRExport.json(of: trail, now: now))
    }

    @Test func aTrailWithNeitherReferralNorRecordIsRefused() {
        #expect(throws: FHIRExportError.self) { try ReferralTrail(referralId: Self.referralID, messages: [], summary: nil) }
    }
}

/// What FHIR R4 requires of the resources the export writes: cardinality 1..1 and 1..* elements,
/// required value sets, and references that resolve inside the bundle.
enum R4 {
    static let requestStatus: Set = ["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"]
    static let requestIntent: Set = ["proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"]
    static let requestPriority: Set = ["routine", "urgent", "asap", "stat"]
    static let taskStatus: Set = [
        "draft", "requested", "received", "accepted", "rejected", "ready", "cancelled", "in-progress", "on-hold", "failed", "completed", "entered-in-error",
    ]
    /// The SDOH Clinical Care guide's referral Task status: R4's without `received` (and the
    /// codes a referral never takes).
    static let sdohTaskStatus = taskStatus.subtracting(["received", "draft", "ready", "entered-in-error"])
    static let taskIntent: Set = ["unknown", "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"]
    static let bundleType: Set = ["document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection"]

    static func checkBundle(_ bundle: [String: Any], profile: ReferralFHIRExport.Profile) {
        #expect(bundle["resourceType"] as? String == "Bundle")
        #expect(bundleType.contains(bundle["type"] as? String ?? ""))
        checkInstant(bundle["timestamp"], "Bundle.timestamp")
        let entries = bundle["entry"] as? [[String: Any]] ?? []
        let urls = Set(entries.compactMap { $0["fullUrl"] as? String })
        #expect(urls.count == entries.count, "fullUrl values are unique")
        for entry in entries {
            let url = entry["fullUrl"] as? String ?? ""
            #expect(url.wholeMatch(of: /urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil, "\(url)")
            guard let resource = entry["resource"] as? [String: Any] else {
                Issue.record("an entry without a resource")
                continue
            }
            let id = resource["id"] as? String ?? ""
            #expect(id.wholeMatch(of: /[A-Za-z0-9\-\.]{1,64}/) != nil)
            checkReferences(resource, resolvingIn: urls)
            switch resource["resourceType"] as? String {
            case "ServiceRequest": checkServiceRequest(resource)
            case "Task": checkTask(resource, profile: profile)
            case "Provenance": checkProvenance(resource)
            case let other: Issue.record("unexpected resource \(other ?? "-")")
            }
        }
    }

    static func checkServiceRequest(_ request: [String: Any]) {
        #expect(requestStatus.contains(request["status"] as? String ?? ""), "ServiceRequest.status")
        #expect(requestIntent.contains(request["intent"] as? String ?? ""), "ServiceRequest.intent")
        #expect(requestPriority.contains(request["priority"] as? String ?? ""), "ServiceRequest.priority")
        #expect(request["subject"] is [String: Any], "ServiceRequest.subject is 1..1")
        checkDateTime(request["authoredOn"], "ServiceRequest.authoredOn")
    }

    static func checkTask(_ task: [String: Any], profile: ReferralFHIRExport.Profile) {
        let status = task["status"] as? String ?? ""
        #expect((profile == .sdoh ? sdohTaskStatus : taskStatus).contains(status), "Task.status \(status)")
        #expect(taskIntent.contains(task["intent"] as? String ?? ""), "Task.intent")
        #expect(requestPriority.contains(task["priority"] as? String ?? ""), "Task.priority")
        checkDateTime(task["authoredOn"], "Task.authoredOn")
        checkDateTime(task["lastModified"], "Task.lastModified")
        // tsk-1: a Task's last modification is not before its creation.
        #expect((task["lastModified"] as? String ?? "") >= (task["authoredOn"] as? String ?? ""))
        for output in task["output"] as? [[String: Any]] ?? [] {
            #expect(output["type"] is [String: Any], "Task.output.type is 1..1")
            #expect(output.keys.filter { $0.hasPrefix("value") }.count == 1, "Task.output.value[x] is 1..1")
        }
        for concept in [task["statusReason"], task["businessStatus"]] where concept != nil {
            #expect(((concept as? [String: Any])?["coding"] as? [[String: Any]])?.isEmpty == false)
        }
    }

    static func checkProvenance(_ provenance: [String: Any]) {
        #expect((provenance["target"] as? [Any])?.isEmpty == false, "Provenance.target is 1..*")
        checkInstant(provenance["recorded"], "Provenance.recorded")
        let agents = provenance["agent"] as? [[String: Any]] ?? []
        #expect(!agents.isEmpty, "Provenance.agent is 1..*")
        for agent in agents { #expect(agent["who"] is [String: Any], "Provenance.agent.who is 1..1") }
    }

    /// Every `reference` names an entry of the bundle.
    static func checkReferences(_ value: Any, resolvingIn urls: Set<String>) {
        if let object = value as? [String: Any] {
            if let reference = object["reference"] as? String { #expect(urls.contains(reference), "\(reference) is not in the bundle") }
            for child in object.values { checkReferences(child, resolvingIn: urls) }
        } else if let array = value as? [Any] {
            for child in array { checkReferences(child, resolvingIn: urls) }
        }
    }

    static func checkInstant(_ value: Any?, _ name: String) {
        let text = value as? String ?? ""
        #expect(text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/) != nil, "\(name): \(text)")
    }

    static func checkDateTime(_ value: Any?, _ name: String) { checkInstant(value, name) }
}
