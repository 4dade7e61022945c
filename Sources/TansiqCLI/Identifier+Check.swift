import ArgumentParser
import TansiqMessages

extension Identifier {
    /// Refuses (exit 64) the first of `values` given that is not an identifier, naming its flag.
    static func check(_ values: [(flag: String, value: String?)]) throws {
        for case let (flag, value?) in values where !isValid(value) {
            throw ValidationError("\(flag) '\(value)' is not an identifier: use a–z, 0–9 and '-', 1–63 characters, starting with a letter or digit")
        }
    }
}
