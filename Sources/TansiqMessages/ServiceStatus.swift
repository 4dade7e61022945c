import Foundation

/// A provider's availability for one service category (in the spirit of Open Referral HSDS).
public struct ServiceStatus: Sendable, Equatable {
    /// The providing agency.
    public var agency: String
    /// The category the status is about.
    public var category: ServiceCategory
    /// Whether the service operates.
    public var status: Availability
    /// Whether it takes new referrals.
    public var accepting: Accepting
    /// How long the waiting list is; required when ``accepting`` is ``Accepting/waitlist``.
    public var waitlistBand: WaitlistBand?
    /// What is left.
    public var capacity: Capacity
    /// When the provider last checked this.
    public var updatedAt: Date
    /// Until when the status holds; `nil` until the next update.
    public var validUntil: Date?
    /// Free text, at most 280 characters.
    public var note: String?

    /// Creates a service status.
    public init(
        agency: String,
        category: ServiceCategory,
        status: Availability,
        accepting: Accepting,
        waitlistBand: WaitlistBand? = nil,
        capacity: Capacity,
        updatedAt: Date,
        validUntil: Date? = nil,
        note: String? = nil
    ) {
        self.agency = agency
        self.category = category
        self.status = status
        self.accepting = accepting
        self.waitlistBand = waitlistBand
        self.capacity = capacity
        self.updatedAt = updatedAt
        self.validUntil = validUntil
        self.note = note
    }

    /// Whether the service operates.
    public enum Availability: String, Sendable, Hashable, Codable, CaseIterable {
        /// Operating.
        case active
        /// Closed for now (holidays, staff shortage).
        case temporarilyClosed = "temporarily-closed"
        /// No longer offered.
        case inactive
    }

    /// Whether new referrals are taken.
    public enum Accepting: String, Sendable, Hashable, Codable, CaseIterable {
        /// Yes, now.
        case yes
        /// No.
        case no
        /// Onto a waiting list.
        case waitlist
    }

    /// How long the waiting list is (open vocabulary).
    public struct WaitlistBand: CodedValue {
        /// The code.
        public let rawValue: String
        /// Wraps a code.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Less than a week.
        public static let underOneWeek = Self(rawValue: "under-1-week")
        /// One to four weeks.
        public static let oneToFourWeeks = Self(rawValue: "1-4-weeks")
        /// More than four weeks.
        public static let overFourWeeks = Self(rawValue: "over-4-weeks")

        /// The bands of this protocol version.
        public static let knownValues: [Self] = [.underOneWeek, .oneToFourWeeks, .overFourWeeks]
    }

    /// What is left, in a unit that fits the service.
    public struct Capacity: Sendable, Equatable {
        /// What is counted.
        public var unit: Unit
        /// How many are free (0 to ``maximum``).
        public var available: Int
        /// How many there are.
        public var maximum: Int

        /// Creates a capacity.
        public init(unit: Unit, available: Int, maximum: Int) {
            self.unit = unit
            self.available = available
            self.maximum = maximum
        }

        /// What a capacity counts (open vocabulary).
        public struct Unit: CodedValue {
            /// The code.
            public let rawValue: String
            /// Wraps a code.
            public init(rawValue: String) { self.rawValue = rawValue }

            /// Open cases a team can follow.
            public static let cases = Self(rawValue: "cases")
            /// Beds (shelter).
            public static let beds = Self(rawValue: "beds")
            /// Places in a class or training.
            public static let places = Self(rawValue: "places")
            /// Appointments this week.
            public static let appointments = Self(rawValue: "appointments")

            /// The units of this protocol version.
            public static let knownValues: [Self] = [.cases, .beds, .places, .appointments]
        }
    }
}

extension ServiceStatus: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        agency = try fields.string("agency")
        category = ServiceCategory(rawValue: try fields.string("category"))
        status = try fields.code("status")
        accepting = try fields.code("accepting")
        waitlistBand = try fields.optionalString("waitlistBand").map(WaitlistBand.init(rawValue:))
        let capacityFields = try fields.object("capacity")
        capacity = Capacity(
            unit: Capacity.Unit(rawValue: try capacityFields.string("unit")),
            available: try capacityFields.int("available", in: Int.min...Int.max),
            maximum: try capacityFields.int("maximum", in: Int.min...Int.max)
        )
        updatedAt = try fields.time("updatedAt")
        validUntil = try fields.optionalTime("validUntil")
        note = try fields.optionalString("note")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(agency, "agency id", at: path + ".agency")
        try category.check("service category", at: path + ".category")
        if status != .active, accepting != .no {
            throw ProtocolError(.invalidValue, "a '\(status.rawValue)' service accepts no referrals", keyPath: path + ".accepting")
        }
        switch (accepting, waitlistBand) {
        case (.waitlist, nil):
            throw ProtocolError(.missingField, "a service with a waiting list gives its waitlistBand", keyPath: path + ".waitlistBand")
        case (.waitlist, let band?):
            try band.check("waitlist band", at: path + ".waitlistBand")
        case (_, _?):
            throw ProtocolError(.invalidValue, "waitlistBand is only given when accepting is 'waitlist'", keyPath: path + ".waitlistBand")
        default:
            break
        }
        try capacity.unit.check("capacity unit", at: path + ".capacity.unit")
        guard capacity.maximum >= 0 else {
            throw ProtocolError(.invalidValue, "maximum \(capacity.maximum) is negative", keyPath: path + ".capacity.maximum")
        }
        guard (0...capacity.maximum).contains(capacity.available) else {
            throw ProtocolError(
                .invalidValue,
                "available \(capacity.available) is outside 0...\(capacity.maximum) (the maximum)",
                keyPath: path + ".capacity.available"
            )
        }
        if let validUntil, validUntil < updatedAt {
            throw ProtocolError(.invalidValue, "validUntil is before updatedAt", keyPath: path + ".validUntil")
        }
        try FreeText.checkNote(note, at: path + ".note")
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("agency", agency)
        object.set("category", category)
        object.set("status", status)
        object.set("accepting", accepting)
        object.set("waitlistBand", waitlistBand)
        object.set(
            "capacity",
            JSONValue.object([
                "unit": .string(capacity.unit.rawValue),
                "available": .integer(capacity.available),
                "maximum": .integer(capacity.maximum),
            ])
        )
        try object.set("updatedAt", time: updatedAt)
        try object.set("validUntil", time: validUntil)
        object.set("note", note)
        return object.value
    }

    /// Decodes with the wire rules through any `Decoder`.
    public init(from decoder: any Decoder) throws { self = try .decode(from: decoder) }

    /// Encodes exactly as on the wire through any `Encoder`.
    public func encode(to encoder: any Encoder) throws {
        try validate(at: "body")
        try wireValue(at: "body").encode(to: encoder)
    }
}
