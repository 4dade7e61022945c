extension SimulatedDuration {
    /// Why a duration could not be read.
    public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text that was read.
        public var input: String
        /// What is wrong and what is expected.
        public var message: String

        /// `"<input>": <message>`.
        public var description: String { "\"\(input)\": \(message)" }
    }

    /// The units of the duration syntax, `ms` before `m` so that the longer symbol wins.
    public static let units: [(symbol: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800),
    ]

    /// What the duration syntax looks like, for error messages.
    public static let syntaxHint =
        "expected a number followed by a unit (ms, s, m, h, d, w), e.g. 90s, 15m, 4h, 30d, 2w or 1d12h"

    /// Reads a duration such as `90s`, `15m`, `4h`, `1.5d`, `2w` or `1d12h`; `0` alone is zero.
    ///
    /// - Throws: ``FormatError`` when the text is empty, negative, has no unit or an unknown one.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace()
        if trimmed == "0" {
            self = .zero
            return
        }
        if trimmed.hasPrefix("-") {
            throw FormatError(input: text, message: "durations cannot be negative; \(Self.syntaxHint)")
        }
        var rest = Substring(trimmed)
        var total = 0.0
        var groups = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            // Digits on both sides of any dot, as the JSON Schema's pattern has it.
            guard let first = number.first, let last = number.last, first.isNumber, last.isNumber,
                  number.filter({ $0 == "." }).count <= 1, let value = Double(number), value.isFinite
            else {
                throw FormatError(input: text, message: Self.syntaxHint)
            }
            rest = rest.dropFirst(number.count).drop { $0 == " " }
            let unitText = rest.prefix { $0.isLetter }
            guard !unitText.isEmpty else {
                throw FormatError(input: text, message: "missing unit after \(number); \(Self.syntaxHint)")
            }
            guard let unit = Self.units.first(where: { $0.symbol == unitText }) else {
                throw FormatError(input: text, message: "unknown unit \"\(unitText)\"; \(Self.syntaxHint)")
            }
            rest = rest.dropFirst(unitText.count).drop { $0 == " " }
            total += value * unit.seconds
            groups += 1
        }
        guard groups > 0, total.isFinite else {
            throw FormatError(input: text, message: Self.syntaxHint)
        }
        self.init(seconds: total)
    }
}

extension SimulatedDuration: CustomStringConvertible {
    /// The spelling in the largest whole unit (`4h`, `30d`, `2w`, `90m`, `250ms`), which reads back equal.
    public var description: String {
        if seconds == 0 { return "0s" }
        for unit in Self.units.reversed() {
            let count = seconds / unit.seconds
            if count >= 1, count == count.rounded(), count < 1e15,
               Double(Int(count)) * unit.seconds == seconds {
                return "\(Int(count))\(unit.symbol)"
            }
        }
        return "\(seconds)s"
    }
}

extension SimulatedDuration: Codable {
    /// Decodes the duration syntax (`"4h"`), or a plain number of seconds.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            guard seconds.isFinite, seconds >= 0 else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "durations are finite and not negative")
            }
            self.init(seconds: seconds)
            return
        }
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch let error as FormatError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the duration in its own syntax (`"4h"`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace, without needing Foundation.
    public func trimmingWhitespace() -> String {
        String(String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }).reversed())
    }
}
