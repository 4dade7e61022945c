import Foundation

/// An instant on the command line: Unix seconds (`1767225600.5`) or ISO 8601
/// (`2026-01-01T00:00:00Z`, fractions of a second allowed).
enum ClockTime {
    static func parse(_ text: String) -> Date? {
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
