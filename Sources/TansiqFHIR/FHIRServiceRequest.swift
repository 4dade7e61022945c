/// A FHIR R4 ServiceRequest: the referral itself.
public struct FHIRServiceRequest: Encodable, Sendable {
    public let resourceType = "ServiceRequest"
    public var id: String
    public var identifier: [FHIRIdentifier]
    /// R4 `request-status`: draft | active | on-hold | revoked | completed | entered-in-error | unknown.
    public var status: String
    /// R4 `request-intent`; always `order` (a referral asks for the service).
    public var intent: String
    public var category: [FHIRCodeableConcept]
    /// R4 `request-priority`: routine | urgent | asap | stat, as Tansiq's.
    public var priority: String
    public var code: FHIRCodeableConcept
    /// The person, by the referrer's pseudonymous case reference only.
    public var subject: FHIRReference
    public var authoredOn: String
    public var requester: FHIRReference
    public var performer: [FHIRReference]?
    public var reasonCode: [FHIRCodeableConcept]?

    private enum CodingKeys: String, CodingKey {
        case resourceType, id, identifier, status, intent, category, priority, code, subject, authoredOn, requester, performer, reasonCode
    }
}
