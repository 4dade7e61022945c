import Foundation
import TansiqSimulation
import Yams

/// Turns an agent's `--config FILE` into command-line arguments placed before the real ones, so
/// that a file and flags go through the same parsing and validation, and flags win.
///
/// A key is an option's long name (`agency`, `ack-delay` or `ack_delay`); a list repeats the
/// option; `true` sets a flag.
public enum ConfigFileArguments {
    /// The arguments with the configuration file's contents inserted, and where each option
    /// given by the file came from.
    public struct Expansion: Sendable {
        public var arguments: [String]
        /// `FILE:LINE` of each option name the file gave (`agency` → `iom.yaml:1`).
        public var origins: [String: String] = [:]
    }

    /// The arguments with the configuration file's contents inserted, or the error to report.
    public static func expand(_ arguments: [String]) -> Result<[String], ConfigFileError> {
        expand(arguments, knownOptions: nil).map(\.arguments)
    }

    /// As ``expand(_:)``, checking every key against `knownOptions` (long names without `--`)
    /// when given: every mistake of the file is in the error, one line each, with its line.
    public static func expand(_ arguments: [String], knownOptions: Set<String>?) -> Result<Expansion, ConfigFileError> {
        guard let index = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) else {
            return .success(Expansion(arguments: arguments))
        }
        var remaining = arguments
        let path: String
        if arguments[index].hasPrefix("--config=") {
            path = String(arguments[index].dropFirst("--config=".count))
            remaining.remove(at: index)
        } else {
            guard index + 1 < arguments.count else { return .failure(ConfigFileError("--config needs a file path")) }
            path = arguments[index + 1]
            remaining.removeSubrange(index...(index + 1))
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return .failure(ConfigFileError("\(path): cannot read: \(error.localizedDescription)"))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return .failure(ConfigFileError("\(path): not valid YAML: \(error)"))
        }
        guard let mapping = root?.mapping else {
            return .failure(ConfigFileError("\(path): expected a mapping of option names to values"))
        }
        var expansion = Expansion(arguments: [])
        var problems: [String] = []
        func at(_ node: Node) -> String { "\(path)\(node.mark.map { ":\($0.line)" } ?? "")" }
        for (key, value) in mapping {
            guard let name = key.string?.replacingOccurrences(of: "_", with: "-"), key.scalar != nil else {
                problems.append("\(at(key)): keys must be option names")
                continue
            }
            if let knownOptions, !knownOptions.contains(name) {
                let hint = Suggestion.closest(to: name, among: knownOptions.sorted()).map { "; did you mean '\($0)'?" } ?? ""
                problems.append("\(at(key)): unknown key '\(name)'\(hint) (the keys are the long options of --help)")
                continue
            }
            expansion.origins[name] = at(key)
            if let sequence = value.sequence {
                for item in sequence {
                    guard let text = item.string, item.scalar != nil else {
                        problems.append("\(at(item)): \(name): list items must be scalars")
                        continue
                    }
                    expansion.arguments += ["--\(name)", text]
                }
            } else if let flag = value.bool {
                if flag { expansion.arguments.append("--\(name)") }
            } else if value.scalar != nil, let text = value.string {
                expansion.arguments += ["--\(name)", text]
            } else {
                problems.append("\(at(value)): \(name): expected a scalar or a list")
            }
        }
        expansion.arguments += remaining
        guard problems.isEmpty else {
            var error = ConfigFileError(problems.joined(separator: "\n"))
            error.partial = expansion
            return .failure(error)
        }
        return .success(expansion)
    }

    /// Adds `FILE:LINE, key NAME` to an error message that names an option the file gave.
    static func locate(_ message: String, origins: [String: String]) -> String {
        // The longest name first: `--ack-timeout` is not `--ack`.
        for (name, origin) in origins.sorted(by: { $0.key.count > $1.key.count }) {
            if message.range(of: "--\(name)(?![a-z0-9-])", options: .regularExpression) != nil {
                return "\(origin): key '\(name)': \(message)"
            }
        }
        return message
    }
}

/// A configuration file that cannot be read or understood.
public struct ConfigFileError: Error, CustomStringConvertible {
    /// What is wrong, naming the file (one line per mistake).
    public let description: String
    /// What the file gave, less its mistakes: parsed anyway, to report the options' own errors too.
    var partial: ConfigFileArguments.Expansion?
    init(_ description: String) { self.description = description }
}
