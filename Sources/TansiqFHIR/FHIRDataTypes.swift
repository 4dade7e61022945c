import Foundation

// The few FHIR R4 data types the export writes, as JSON. Only what the export fills is here:
// every property is optional in the JSON unless FHIR requires it.

/// A code from a code system (FHIR `Coding`).
public struct FHIRCoding: Encodable, Sendable, Equatable {
    public var system: String
    public var code: String
    public var display: String?
}

/// Codings and a text (FHIR `CodeableConcept`).
public struct FHIRCodeableConcept: Encodable, Sendable, Equatable {
    public var coding: [FHIRCoding]
    public var text: String?

    init(_ system: String, _ code: String, display: String? = nil, text: String? = nil) {
        coding = [FHIRCoding(system: system, code: code, display: display)]
        self.text = text
    }

    init(coding: [FHIRCoding], text: String? = nil) {
        self.coding = coding
        self.text = text
    }
}

/// A business identifier (FHIR `Identifier`).
public struct FHIRIdentifier: Encodable, Sendable, Equatable {
    public var system: String
    public var value: String
}

/// A reference to another resource: in the bundle (`urn:uuid:…`), or by business identifier
/// for parties that have no resource in it (FHIR `Reference`).
public struct FHIRReference: Encodable, Sendable, Equatable {
    public var reference: String?
    public var type: String?
    public var identifier: FHIRIdentifier?
    public var display: String?
}

/// A time span (FHIR `Period`).
public struct FHIRPeriod: Encodable, Sendable, Equatable {
    public var start: String?
    public var end: String?
}

/// A resource's version and last change (FHIR `Meta`).
public struct FHIRMeta: Encodable, Sendable, Equatable {
    public var versionId: String?
    public var lastUpdated: String?
}

/// FHIR `dateTime` and `instant`: UTC with milliseconds, as on Tansiq's wire.
enum FHIRTime {
    static func text(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
