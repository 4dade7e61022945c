/// A FHIR R4 Bundle of type `collection`: a referral's ServiceRequest, its Task and one
/// Provenance per change, each with a `urn:uuid:` full URL that the others reference.
public struct FHIRBundle: Encodable, Sendable {
    public let resourceType = "Bundle"
    public var id: String
    public var type = "collection"
    /// When the bundle was assembled.
    public var timestamp: String
    public var entry: [Entry]

    public struct Entry: Encodable, Sendable {
        public var fullUrl: String
        public var resource: Resource
    }

    /// One of the resources the export writes.
    public enum Resource: Encodable, Sendable {
        case serviceRequest(FHIRServiceRequest)
        case task(FHIRTask)
        case provenance(FHIRProvenance)

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .serviceRequest(let resource): try resource.encode(to: encoder)
            case .task(let resource): try resource.encode(to: encoder)
            case .provenance(let resource): try resource.encode(to: encoder)
            }
        }
    }

    private enum CodingKeys: String, CodingKey { case resourceType, id, type, timestamp, entry }
}
