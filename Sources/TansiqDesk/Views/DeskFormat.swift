import Foundation

/// Dates in the agency's time zone and the worker's language, and deadlines relative to now.
struct DeskFormat {
    let language: Language
    let timeZone: TimeZone
    let now: Date

    func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.localeIdentifier)
        formatter.timeZone = timeZone
        formatter.dateStyle = .medium
        formatter.timeStyle = .short
        return formatter.string(from: date)
    }

    /// "in 3 h" or "overdue by 20 min".
    func relative(_ deadline: Date) -> String {
        let seconds = deadline.timeIntervalSince(now)
        let amount = duration(abs(seconds))
        return seconds >= 0 ? language("time.in", amount) : language("time.overdue", amount)
    }

    /// A date followed by its distance from now.
    func deadline(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return "<time datetime=\"\(h(ISO8601DateFormatter().string(from: date)))\">\(h(self.date(date)))</time> · <span data-countdown=\"\(millis)\">\(h(relative(date)))</span>"
    }

    func duration(_ seconds: TimeInterval) -> String {
        let minutes = Int((seconds / 60).rounded(.up))
        if minutes < 60 { return language("unit.minutes", "\(minutes)") }
        let hours = Int((seconds / 3600).rounded())
        if hours < 48 { return language("unit.hours", "\(hours)") }
        return language("unit.days", "\(Int((seconds / 86_400).rounded()))")
    }
}
