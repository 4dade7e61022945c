/// Escapes text for HTML content and attribute values.
func h(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        default: result.append(character)
        }
    }
    return result
}

/// `<option>`s of codes, labelled from the catalogue (`prefix.code`).
func options(_ codes: [String], prefix: String, _ language: Language, selected: Set<String> = []) -> String {
    codes.map { code in
        "<option value=\"\(h(code))\"\(selected.contains(code) ? " selected" : "")>\(h(language.label(prefix, code)))</option>"
    }.joined()
}

extension Language {
    /// The label of a protocol code (`state`, `in-progress`), or the code itself when the
    /// catalogue does not know it (an open vocabulary's newer code).
    func label(_ prefix: String, _ code: String) -> String {
        let key = "\(prefix).\(code)"
        let label = self(key)
        return label == key ? code : label
    }
}
