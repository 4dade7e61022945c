/// A FHIR R4 Provenance: one change of the referral (its creation or a state change), who made
/// it, when the agency says it did and when the hub recorded it.
public struct FHIRProvenance: Encodable, Sendable {
    public let resourceType = "Provenance"
    public var id: String
    public var target: [FHIRReference]
    /// When the agency made the change (its clock).
    public var occurredDateTime: String
    /// When the hub journaled it (the hub's clock): the order of the trail.
    public var recorded: String
    /// A v3 DataOperation (CREATE or UPDATE) and the Task status it led to.
    public var activity: FHIRCodeableConcept
    public var agent: [Agent]

    public struct Agent: Encodable, Sendable {
        public var type: FHIRCodeableConcept
        public var who: FHIRReference
    }

    private enum CodingKeys: String, CodingKey {
        case resourceType, id, target, occurredDateTime, recorded, activity, agent
    }
}
