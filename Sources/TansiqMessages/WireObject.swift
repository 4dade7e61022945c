import Foundation

/// A message part with a wire form: read from a JSON object, validated, written back.
protocol WireObject: Sendable, Equatable {
    /// Reads the object and validates it; the path of `fields` roots every error.
    init(fields: JSONFields) throws(ProtocolError)
    /// The JSON object, after ``validate(at:)`` succeeded.
    func wireValue(at path: String) throws(ProtocolError) -> JSONValue
    /// Checks every rule that is not a JSON type.
    func validate(at path: String) throws(ProtocolError)
}

extension WireObject {
    /// Reads through a `Decoder`, applying the personal-data rule the parser applies.
    static func decode(from decoder: any Decoder) throws -> Self {
        let value = try JSONValue(from: decoder)
        try value.checkPersonalData(at: "body")
        return try Self(fields: JSONFields(value, path: "body"))
    }
}

extension JSONValue {
    /// Refuses personal-data keys anywhere in the value (for values that did not come
    /// through ``JSONParser``, which checks as it parses).
    func checkPersonalData(at path: String) throws(ProtocolError) {
        switch self {
        case .object(let members):
            for (key, value) in members {
                let keyPath = path.isEmpty ? key : path + "." + key
                if PersonalData.looksPersonal(key) {
                    throw ProtocolError(.personalData, PersonalData.refusal(key), keyPath: keyPath)
                }
                try value.checkPersonalData(at: keyPath)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try element.checkPersonalData(at: path + "[\(index)]")
            }
        default:
            return
        }
    }
}

/// Rules shared by the free-text fields.
enum FreeText {
    /// The longest `note`, in Unicode code points.
    static let maximumNoteLength = 280

    static func checkNote(_ note: String?, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        guard let note else { return }
        try check(note, maximum: maximumNoteLength, at: keyPath())
    }

    static func check(_ text: String, maximum: Int, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        // A scalar takes at least one UTF-8 byte: short texts need no counting.
        guard text.utf8.count > maximum else { return }
        let length = text.unicodeScalars.count
        guard length <= maximum else {
            throw ProtocolError(.tooLong, "\(length) characters, at most \(maximum)", keyPath: keyPath())
        }
    }

    /// Checks a list of codes: count in `range`, each an identifier.
    static func checkCodes<T: CodedValue>(_ codes: [T], _ what: String, count range: ClosedRange<Int>, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        guard range.contains(codes.count) else {
            throw ProtocolError(
                .invalidValue,
                "\(codes.count) \(what) given, \(range.lowerBound) to \(range.upperBound) allowed",
                keyPath: keyPath()
            )
        }
        for (index, code) in codes.enumerated() {
            try code.check(what, at: keyPath() + "[\(index)]")
        }
    }
}
