/// A strict RFC 8259 parser for one frame.
///
/// Stricter than `JSONSerialization` where ambiguity could let two parsers disagree about a
/// message: duplicate keys, invalid UTF-8, lone surrogates and nesting deeper than
/// `maximumDepth` are refused. Every object key is checked against the personal-data rule.
struct JSONParser {
    /// Deepest nesting accepted; Tansiq messages nest three levels at most.
    static let maximumDepth = 16

    private let bytes: [UInt8]
    private(set) var index: Int = 0
    /// The frame's name in key paths: `header`, `body`, `stamp`.
    let root: String
    /// Whether a key the protocol does not define is refused (a message of a version this
    /// implementation knows); the personal-data rule applies either way.
    var refusesUnknownKeys = false
    private var path: [PathComponent] = []

    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    init(_ bytes: [UInt8], root: String) {
        self.bytes = bytes
        self.root = root
    }

    /// Parses the whole frame as one value; only whitespace may follow it.
    static func parse(_ bytes: [UInt8], root: String, refusingUnknownKeys: Bool = false) throws(ProtocolError) -> JSONValue {
        var parser = JSONParser(bytes, root: root)
        parser.refusesUnknownKeys = refusingUnknownKeys
        let value = try parser.parseValue(depth: 0)
        try parser.expectEnd()
        return value
    }

    // MARK: - Errors

    /// The current key path, e.g. `body.consent.scope[1]`.
    var keyPath: String {
        var result = root
        for component in path {
            switch component {
            case .key(let key): result += result.isEmpty ? key : "." + key
            case .index(let index): result += "[\(index)]"
            }
        }
        return result
    }

    private func syntaxError(_ expected: String) -> ProtocolError {
        if index >= bytes.count {
            return ProtocolError(.truncated, "input ends at byte \(index) where \(expected) was expected", keyPath: keyPath)
        }
        let found = bytes[index]
        let shown = (0x20..<0x7F).contains(found) ? "'\(Character(Unicode.Scalar(found)))'" : "byte 0x\(String(found, radix: 16))"
        return ProtocolError(.invalidJSON, "expected \(expected) at byte \(index), found \(shown)", keyPath: keyPath)
    }

    // MARK: - Structure

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func expectEnd() throws(ProtocolError) {
        skipWhitespace()
        if index < bytes.count {
            throw syntaxError("the end of the frame")
        }
    }

    /// Consumes `byte` (after whitespace) or throws.
    mutating func expect(_ byte: UInt8, _ name: String) throws(ProtocolError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw syntaxError(name) }
        index += 1
    }

    /// Consumes `byte` (after whitespace) if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if index < bytes.count, bytes[index] == byte {
            index += 1
            return true
        }
        return false
    }

    /// Whether the next non-blank byte is `byte`, without consuming it.
    mutating func peek(_ byte: UInt8) -> Bool {
        skipWhitespace()
        return index < bytes.count && bytes[index] == byte
    }

    mutating func parseValue(depth: Int) throws(ProtocolError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw syntaxError("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["):
            return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw syntaxError("a value")
        }
    }

    private mutating func checkDepth(_ depth: Int) throws(ProtocolError) {
        if depth > Self.maximumDepth {
            throw ProtocolError(.invalidJSON, "nesting deeper than \(Self.maximumDepth) levels", keyPath: keyPath)
        }
    }

    /// Parses the key of an object member and checks it against the personal-data rule.
    mutating func parseKey() throws(ProtocolError) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw syntaxError("a key string") }
        let key = try parseString()
        // One set lookup for the common case, a protocol key.
        guard !PersonalData.protocolKeys.contains(key) else { return key }
        if PersonalData.looksPersonal(unknownKey: key) {
            let at = keyPath.isEmpty ? key : keyPath + "." + key
            throw ProtocolError(.personalData, PersonalData.refusal(key), keyPath: at)
        }
        if refusesUnknownKeys, !isInCountMap {
            let at = keyPath.isEmpty ? key : keyPath + "." + key
            throw ProtocolError(.unknownField, PersonalData.unknownFieldRefusal, keyPath: at)
        }
        return key
    }

    /// Whether the object being read maps codes to counts (`hub.stats` `rejections`), whose keys are data.
    private var isInCountMap: Bool {
        if case .key("rejections")? = path.last { return true }
        return false
    }

    /// Parses the value of member `key` of the top-level object, with `key` in error paths.
    mutating func parseMember(_ key: String) throws(ProtocolError) -> JSONValue {
        path.append(.key(key))
        let value = try parseValue(depth: 1)
        path.removeLast()
        return value
    }

    mutating func parseObject(depth: Int) throws(ProtocolError) -> [String: JSONValue] {
        try checkDepth(depth)
        try expect(UInt8(ascii: "{"), "'{'")
        if consume(UInt8(ascii: "}")) { return [:] }
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(16)
        repeat {
            let key = try parseKey()
            try expect(UInt8(ascii: ":"), "':'")
            path.append(.key(key))
            let value = try parseValue(depth: depth)
            if members.updateValue(value, forKey: key) != nil {
                throw ProtocolError(.invalidJSON, "duplicate key '\(key)'", keyPath: keyPath)
            }
            path.removeLast()
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}'")
        return members
    }

    private mutating func parseArray(depth: Int) throws(ProtocolError) -> [JSONValue] {
        try checkDepth(depth)
        try expect(UInt8(ascii: "["), "'['")
        var elements: [JSONValue] = []
        if consume(UInt8(ascii: "]")) { return elements }
        repeat {
            path.append(.index(elements.count))
            elements.append(try parseValue(depth: depth))
            path.removeLast()
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"), "',' or ']'")
        return elements
    }

    private mutating func parseLiteral(_ literal: StaticString) throws(ProtocolError) {
        let text = literal.utf8Start
        for offset in 0..<literal.utf8CodeUnitCount {
            guard index < bytes.count, bytes[index] == text[offset] else {
                throw syntaxError("'\(literal)'")
            }
            index += 1
        }
    }

    private mutating func parseNumber() throws(ProtocolError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw syntaxError("a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if Identifier.isASCIIDigit(bytes[index]) {
            while index < bytes.count, Identifier.isASCIIDigit(bytes[index]) { index += 1 }
        } else {
            throw syntaxError("a digit")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, Identifier.isASCIIDigit(bytes[index]) else { throw syntaxError("a digit") }
            while index < bytes.count, Identifier.isASCIIDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Identifier.isASCIIDigit(bytes[index]) else { throw syntaxError("a digit") }
            while index < bytes.count, Identifier.isASCIIDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }


    /// Parses a string token starting at its opening quote.
    mutating func parseString() throws(ProtocolError) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw syntaxError("a string") }
        index += 1
        let start = index
        var ascii = true
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = bytes[start..<index]
                index += 1
                return try makeString(slice, ascii: ascii, at: start)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw syntaxError("an escaped control character") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard index < bytes.count else { throw syntaxError("the closing quote of a string") }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try makeString(buffer[...], ascii: false, at: start)
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &buffer)
            case 0x00..<0x20:
                throw syntaxError("an escaped control character")
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw syntaxError("the closing quote of a string")
    }

    private func makeString(_ slice: ArraySlice<UInt8>, ascii: Bool, at start: Int) throws(ProtocolError) -> String {
        if ascii {
            return String(decoding: slice, as: UTF8.self)
        }
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw ProtocolError(.invalidJSON, "string starting at byte \(start) is not valid UTF-8", keyPath: keyPath)
        }
        return string
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(ProtocolError) {
        guard index < bytes.count else { throw syntaxError("an escape sequence") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw ProtocolError(.invalidJSON, "lone high surrogate before byte \(index)", keyPath: keyPath)
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw ProtocolError(.invalidJSON, "high surrogate not followed by a low surrogate before byte \(index)", keyPath: keyPath)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw ProtocolError(.invalidJSON, "lone low surrogate before byte \(index)", keyPath: keyPath)
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw ProtocolError(.invalidJSON, "invalid code point before byte \(index)", keyPath: keyPath)
            }
            buffer.append(contentsOf: UTF8.encode(unicode)!)
        default:
            index -= 1
            throw syntaxError("a valid escape character")
        }
    }

    private mutating func parseHex4() throws(ProtocolError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw syntaxError("a hexadecimal digit") }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntaxError("a hexadecimal digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
