import Foundation

/// RFC 3339 UTC times as the protocol writes them: `2026-11-29T09:30:00.000Z`.
///
/// Written by hand rather than with `ISO8601DateFormatter` because the format is fixed,
/// the hub parses one per message, and the precision rule (milliseconds) must be exact.
enum Timestamp {
    /// Milliseconds since 1970 of 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
    static let representable: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    /// The date truncated to the millisecond, the protocol's precision.
    static func truncated(_ date: Date) -> Date {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        return Date(timeIntervalSince1970: milliseconds / 1000)
    }

    /// The time with exactly three fraction digits and `Z`, or `nil` outside years 0000–9999.
    static func format(_ date: Date) -> String? {
        let scaled = (date.timeIntervalSince1970 * 1000).rounded()
        guard scaled.isFinite, scaled >= Double(representable.lowerBound), scaled <= Double(representable.upperBound) else {
            return nil
        }
        let milliseconds = Int64(scaled)
        let (days, dayMilliseconds) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = dayMilliseconds / 1000
        var bytes = [UInt8](repeating: 0, count: 24)
        write(year, width: 4, into: &bytes, at: 0)
        bytes[4] = UInt8(ascii: "-")
        write(month, width: 2, into: &bytes, at: 5)
        bytes[7] = UInt8(ascii: "-")
        write(day, width: 2, into: &bytes, at: 8)
        bytes[10] = UInt8(ascii: "T")
        write(seconds / 3600, width: 2, into: &bytes, at: 11)
        bytes[13] = UInt8(ascii: ":")
        write(seconds / 60 % 60, width: 2, into: &bytes, at: 14)
        bytes[16] = UInt8(ascii: ":")
        write(seconds % 60, width: 2, into: &bytes, at: 17)
        bytes[19] = UInt8(ascii: ".")
        write(dayMilliseconds % 1000, width: 3, into: &bytes, at: 20)
        bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, truncating to the millisecond; `nil` if invalid.
    static func parse(_ string: String) -> Date? {
        var string = string
        return string.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 20, bytes.count <= 30,
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[bytes.count - 1] == UInt8(ascii: "Z"),
              let year = digits(bytes, 0, 4), let month = digits(bytes, 5, 2), let day = digits(bytes, 8, 2),
              let hour = digits(bytes, 11, 2), let minute = digits(bytes, 14, 2), let second = digits(bytes, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var milliseconds: Int64 = 0
        if bytes.count > 20 {
            // A fraction: '.' then 1 to 9 digits before the 'Z'.
            let fractionDigits = bytes.count - 21
            guard bytes[19] == UInt8(ascii: "."), fractionDigits >= 1, let fraction = digits(bytes, 20, fractionDigits) else {
                return nil
            }
            var scaled = fraction
            for _ in 0..<abs(3 - fractionDigits) {
                scaled = fractionDigits < 3 ? scaled * 10 : scaled / 10
            }
            milliseconds = Int64(scaled)
        }
        let days = Int64(days(fromCivil: year, month, day))
        let total = days * 86_400_000 + Int64(hour * 3_600_000 + minute * 60_000 + second * 1000) + milliseconds
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }

    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for offset in start..<(start + count) {
            let digit = bytes[offset] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func write(_ value: some BinaryInteger, width: Int, into bytes: inout [UInt8], at start: Int) {
        var remaining = Int(value)
        for offset in stride(from: start + width - 1, through: start, by: -1) {
            bytes[offset] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    // Howard Hinnant's civil-calendar algorithms (proleptic Gregorian).
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Date {
    /// This time as the protocol writes it (`2026-11-29T09:30:00.000Z`).
    public var protocolText: String { Timestamp.format(self) ?? "\(self)" }
}
