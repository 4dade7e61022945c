import Foundation

/// The languages of the desk. Arabic is written right to left.
public enum Language: String, Sendable, CaseIterable {
    case en
    case fr
    case ar

    /// `rtl` for Arabic, `ltr` otherwise.
    public var direction: String { self == .ar ? "rtl" : "ltr" }

    /// The locale dates are written in.
    var localeIdentifier: String {
        switch self {
        case .en: "en_GB"
        case .fr: "fr_MA"
        case .ar: "ar_MA"
        }
    }

    /// The first language of an `Accept-Language` header the desk speaks, by the order of preference given.
    static func preferred(acceptLanguage header: String?) -> Language? {
        guard let header else { return nil }
        var choices: [(Language, Double, Int)] = []
        for (index, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), let primary = tag.split(separator: "-").first,
                  let language = Language(rawValue: String(primary))
            else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            if quality > 0 { choices.append((language, quality, index)) }
        }
        return choices.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }.first?.0
    }

    /// The label of `key` in this language (English, then the key itself, when missing).
    func callAsFunction(_ key: String) -> String {
        Catalogue.labels[self]?[key] ?? Catalogue.labels[.en]?[key] ?? key
    }

    /// The label of `key` with `%@` replaced by `argument`.
    func callAsFunction(_ key: String, _ argument: String) -> String {
        self(key).replacingOccurrences(of: "%@", with: argument)
    }
}

/// Every label of the desk, one catalogue per language (`Catalogue+English.swift` …).
enum Catalogue {
    static let labels: [Language: [String: String]] = [.en: english, .fr: french, .ar: arabic]
}

/// The catalogues, for checks that every language has every label.
public enum DeskCatalogues {
    /// The label keys of one language.
    public static func keys(_ language: Language) -> [String] {
        Array((Catalogue.labels[language] ?? [:]).keys)
    }
}
