/// A FHIR R4 Task: the receiver's work on the referral, in its current state. Its earlier
/// states are in the bundle's Provenance resources, one per change.
public struct FHIRTask: Encodable, Sendable {
    public let resourceType = "Task"
    public var id: String
    /// `versionId` counts the changes: 1 when only requested.
    public var meta: FHIRMeta
    public var identifier: [FHIRIdentifier]
    public var basedOn: [FHIRReference]
    /// R4 `task-status`.
    public var status: String
    public var statusReason: FHIRCodeableConcept?
    public var businessStatus: FHIRCodeableConcept?
    /// R4 `task-intent`; always `order`.
    public var intent: String
    public var priority: String
    public var focus: FHIRReference
    public var `for`: FHIRReference
    public var authoredOn: String
    public var lastModified: String
    public var requester: FHIRReference
    public var owner: FHIRReference?
    public var restriction: Restriction?
    public var output: [Output]?

    /// When the referral's follow-up is due.
    public struct Restriction: Encodable, Sendable {
        public var period: FHIRPeriod
    }

    /// The outcome of a completed or failed referral (R4 `Task.output`: a type and one value).
    public struct Output: Encodable, Sendable {
        public var type: FHIRCodeableConcept
        public var valueCodeableConcept: FHIRCodeableConcept?
        public var valueBoolean: Bool?
    }

    private enum CodingKeys: String, CodingKey {
        case resourceType, id, meta, identifier, basedOn, status, statusReason, businessStatus, intent, priority, focus
        case `for`, authoredOn, lastModified, requester, owner, restriction, output
    }
}
