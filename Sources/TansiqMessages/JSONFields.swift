import Foundation

/// Typed, key-path-aware access to the members of one JSON object.
///
/// Unknown members are ignored (forward compatibility); a `null` member counts as absent.
struct JSONFields {
    let members: [String: JSONValue]
    /// The object's key path, e.g. `body.consent`.
    let path: String

    init(_ value: JSONValue, path: String) throws(ProtocolError) {
        guard case .object(let members) = value else {
            throw ProtocolError(.wrongType, "expected an object, found \(value.typeName)", keyPath: path)
        }
        self.members = members
        self.path = path
    }

    func path(_ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    func optional(_ key: String) -> JSONValue? {
        switch members[key] {
        case .none, .null?: nil
        case let value?: value
        }
    }

    func required(_ key: String) throws(ProtocolError) -> JSONValue {
        guard let value = optional(key) else {
            throw ProtocolError(.missingField, "required field '\(key)' is missing", keyPath: path(key))
        }
        return value
    }

    // MARK: - Scalars

    func string(_ key: String) throws(ProtocolError) -> String {
        try Self.string(try required(key), at: path(key))
    }

    func optionalString(_ key: String) throws(ProtocolError) -> String? {
        guard let value = optional(key) else { return nil }
        return try Self.string(value, at: path(key))
    }

    static func string(_ value: JSONValue, at keyPath: @autoclosure () -> String) throws(ProtocolError) -> String {
        guard case .string(let string) = value else {
            throw ProtocolError(.wrongType, "expected a string, found \(value.typeName)", keyPath: keyPath())
        }
        return string
    }

    func bool(_ key: String) throws(ProtocolError) -> Bool {
        let value = try required(key)
        guard case .bool(let bool) = value else {
            throw ProtocolError(.wrongType, "expected a boolean, found \(value.typeName)", keyPath: path(key))
        }
        return bool
    }

    func uuid(_ key: String) throws(ProtocolError) -> UUID {
        try Self.uuid(try string(key), at: path(key))
    }

    func optionalUUID(_ key: String) throws(ProtocolError) -> UUID? {
        guard let string = try optionalString(key) else { return nil }
        return try Self.uuid(string, at: path(key))
    }

    static func uuid(_ string: String, at keyPath: @autoclosure () -> String) throws(ProtocolError) -> UUID {
        guard let uuid = Identifier.uuid(string) else {
            throw ProtocolError(
                .invalidValue,
                "the value is not a lowercase canonical UUID (8-4-4-4-12 hexadecimal digits)",
                keyPath: keyPath()
            )
        }
        return uuid
    }

    func time(_ key: String) throws(ProtocolError) -> Date {
        try Self.time(try string(key), at: path(key))
    }

    func optionalTime(_ key: String) throws(ProtocolError) -> Date? {
        guard let string = try optionalString(key) else { return nil }
        return try Self.time(string, at: path(key))
    }

    static func time(_ string: String, at keyPath: @autoclosure () -> String) throws(ProtocolError) -> Date {
        guard let date = Timestamp.parse(string) else {
            throw ProtocolError(
                .invalidValue,
                "the value is not an RFC 3339 UTC time like 2026-11-29T09:30:00.000Z",
                keyPath: keyPath()
            )
        }
        return date
    }

    func uint64(_ key: String) throws(ProtocolError) -> UInt64 {
        try Self.uint64(try required(key), at: path(key))
    }

    func optionalUInt64(_ key: String) throws(ProtocolError) -> UInt64? {
        guard let value = optional(key) else { return nil }
        return try Self.uint64(value, at: path(key))
    }

    static func uint64(_ value: JSONValue, at keyPath: @autoclosure () -> String) throws(ProtocolError) -> UInt64 {
        guard case .number(let literal) = value else {
            throw ProtocolError(.wrongType, "expected a non-negative integer, found \(value.typeName)", keyPath: keyPath())
        }
        var result: UInt64 = 0
        for byte in literal.utf8 {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else {
                throw ProtocolError(
                    .invalidValue,
                    "the value is not a non-negative integer",
                    keyPath: keyPath()
                )
            }
            let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else {
                throw ProtocolError(.invalidValue, "the value is larger than \(UInt64.max)", keyPath: keyPath())
            }
            result = sum
        }
        return result
    }

    /// A signed integer in `range`.
    func int(_ key: String, in range: ClosedRange<Int>) throws(ProtocolError) -> Int {
        let value = try required(key)
        guard case .number(let literal) = value else {
            throw ProtocolError(.wrongType, "expected an integer, found \(value.typeName)", keyPath: path(key))
        }
        let negative = literal.hasPrefix("-")
        let magnitude = try Self.uint64(.number(negative ? String(literal.dropFirst()) : literal), at: path(key))
        let int: Int? = magnitude <= UInt64(Int.max) ? (negative ? -Int(magnitude) : Int(magnitude)) : nil
        guard let int, range.contains(int) else {
            throw ProtocolError(
                .invalidValue,
                "the value is outside \(range.lowerBound)...\(range.upperBound)",
                keyPath: path(key)
            )
        }
        return int
    }

    // MARK: - Closed vocabularies

    /// A value of a closed vocabulary; an unknown value is refused, naming the allowed ones.
    func code<T: RawRepresentable & CaseIterable>(_ key: String, as _: T.Type = T.self) throws(ProtocolError) -> T
    where T.RawValue == String {
        try Self.code(try string(key), at: path(key))
    }

    func optionalCode<T: RawRepresentable & CaseIterable>(_ key: String, as _: T.Type = T.self) throws(ProtocolError) -> T?
    where T.RawValue == String {
        guard let string = try optionalString(key) else { return nil }
        return try Self.code(string, at: path(key))
    }

    static func code<T: RawRepresentable & CaseIterable>(_ string: String, at keyPath: @autoclosure () -> String) throws(ProtocolError) -> T
    where T.RawValue == String {
        guard let value = T(rawValue: string) else {
            let allowed = T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw ProtocolError(
                .invalidValue,
                "the value is not one of \(allowed)",
                keyPath: keyPath()
            )
        }
        return value
    }

    // MARK: - Containers

    func object(_ key: String) throws(ProtocolError) -> JSONFields {
        try JSONFields(try required(key), path: path(key))
    }

    func optionalObject(_ key: String) throws(ProtocolError) -> JSONFields? {
        guard let value = optional(key) else { return nil }
        return try JSONFields(value, path: path(key))
    }

    func array(_ key: String) throws(ProtocolError) -> [JSONValue] {
        let value = try required(key)
        guard case .array(let elements) = value else {
            throw ProtocolError(.wrongType, "expected an array, found \(value.typeName)", keyPath: path(key))
        }
        return elements
    }

    func strings(_ key: String) throws(ProtocolError) -> [String] {
        var result: [String] = []
        for (index, element) in try array(key).enumerated() {
            result.append(try Self.string(element, at: path(key) + "[\(index)]"))
        }
        return result
    }

    /// An array of strings, absent meaning empty.
    func optionalStrings(_ key: String) throws(ProtocolError) -> [String] {
        optional(key) == nil ? [] : try strings(key)
    }
}

/// Builds the members of one JSON object for encoding; absent optionals are omitted.
struct JSONObjectBuilder {
    private(set) var members: [String: JSONValue] = [:]
    /// The object's key path, for errors.
    let path: String

    init(path: String) {
        self.path = path
    }

    var value: JSONValue { .object(members) }

    mutating func set(_ key: String, _ value: JSONValue?) {
        if let value { members[key] = value }
    }

    mutating func set(_ key: String, _ string: String?) {
        if let string { members[key] = .string(string) }
    }

    mutating func set<T: RawRepresentable>(_ key: String, _ code: T?) where T.RawValue == String {
        if let code { members[key] = .string(code.rawValue) }
    }

    mutating func set(_ key: String, _ uuid: UUID?) {
        if let uuid { members[key] = .string(Identifier.text(uuid)) }
    }

    mutating func set(_ key: String, _ integer: UInt64?) {
        if let integer { members[key] = .integer(integer) }
    }

    mutating func set(_ key: String, _ integer: Int?) {
        if let integer { members[key] = .integer(integer) }
    }

    mutating func set(_ key: String, _ bool: Bool?) {
        if let bool { members[key] = .bool(bool) }
    }

    mutating func set(_ key: String, strings: [String]) {
        members[key] = .array(strings.map(JSONValue.string))
    }

    mutating func set(_ key: String, time date: Date?) throws(ProtocolError) {
        guard let date else { return }
        guard let text = Timestamp.format(date) else {
            throw ProtocolError(.invalidValue, "time \(date) is outside years 0000–9999", keyPath: path.isEmpty ? key : path + "." + key)
        }
        members[key] = .string(text)
    }
}
